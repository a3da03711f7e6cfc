import type { GroupRow, Profile } from '../characterize/profile.js';
import { formatBytes, formatCount, formatPercent, formatSeconds } from '../util/units.js';
import { renderTable } from './table.js';

function groupTable(title: string, rows: GroupRow[], withClass: boolean): string {
  let cumulative = 0;
  const body = rows.map((r) => {
    cumulative += r.timeShare;
    return [r.key, ...(withClass ? [r.opClass ?? ''] : []), r.nodes, formatCount(r.macs), formatCount(r.flops), formatBytes(r.bytesRead), formatBytes(r.bytesWritten), formatSeconds(r.seconds), formatPercent(r.timeShare), formatPercent(cumulative)];
  });
  return renderTable([title, ...(withClass ? ['class'] : []), 'nodes', 'MACs', 'FLOPs', 'read', 'written', 'time', 'time %', 'cum %'], body);
}

/** The terminal report of `accelmap profile`: the model and device, tables by op type, class and (training) phase, totals and the summary. */
export function renderProfile(p: Profile): string {
  const t = p.totals;
  const header = [
    `${p.model} · ${p.mode === 'train' ? 'training' : 'inference'} · batch ${p.batch} · ${formatCount(p.params)} parameters · ${p.nodes.length} nodes`,
    `device ${p.device.name}: ${formatCount(p.device.peakFlopsPerSecond)}FLOP/s ${p.device.precision}, ${formatCount(p.device.memoryBandwidthBytesPerSecond)}B/s memory`,
    'units: MACs are multiply-accumulates; FLOPs = 2·MACs + other FLOPs; time = max(FLOPs / peak, bytes / bandwidth) per op',
  ];
  const totals = `total: ${formatCount(t.macs)} MACs, ${formatCount(t.flops)} FLOPs, ${formatBytes(t.bytesRead)} read (${formatBytes(t.weightBytes)} weights), ${formatBytes(t.bytesWritten)} written, ${formatSeconds(t.seconds)} modeled`;
  const c = p.coverage, s = p.intensity;
  const summary = [
    `${formatPercent(c.threshold, 0)} of modeled time: ${c.opTypes.join(', ')} (${c.opTypes.length} of ${p.byOpType.length} op types, ${formatPercent(c.timeShare)})`,
    `arithmetic intensity over ${s.nodes} computing nodes (FLOPs/byte): min ${fmt(s.min)}, p10 ${fmt(s.p10)}, median ${fmt(s.median)}, p90 ${fmt(s.p90)}, max ${fmt(s.max)}; ` +
      `p10–p90 spans ${s.spreadDecades.toFixed(1)} decades; ridge point ${fmt(s.ridgeFlopsPerByte)}; ${formatPercent(s.memoryBoundTimeShare)} of time memory-bound`,
  ];
  const sections = [header.join('\n'), groupTable('op type', p.byOpType, true), groupTable('op class', p.byOpClass, false)];
  if (p.mode === 'train') sections.push(groupTable('phase', p.byPhase, false));
  const m = p.memory;
  if (m) summary.push(`training memory: weights ${formatBytes(m.weightBytes)}, weight gradients ${formatBytes(m.weightGradientBytes)}, optimizer state ${formatBytes(m.optimizerStateBytes)}, kept from forward for backward ${formatBytes(m.savedForBackwardBytes)}`);
  sections.push([totals, ...summary].join('\n'));
  return sections.join('\n\n');
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toPrecision(2);
}
