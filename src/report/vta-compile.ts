import type { VtaCompileResult } from '../api/vta.js';
import type { LayerFigures } from '../targets/vta/compile.js';
import type { LayerSchedule } from '../targets/vta/lower.js';
import { renderTable } from './table.js';
import { formatCount, formatPercent } from '../util/units.js';

function schedule(s: LayerSchedule): string {
  const vt = `vt${s.virtualThreads ?? 1}`;
  if (s.tileVectors !== undefined) return `${s.tileVectors} vec, ${vt}`;
  return `${s.tileRows}r×${s.tileN}n×${s.tileK}k, ${s.order ?? 'rows'} first, ${vt}${s.epilogue === 'separate' ? ', act. apart' : ''}`;
}

/** The per-layer table of a VTA compile (tuned against default cycles when both are there), host layers, totals. */
export function vtaCompileSummary(r: VtaCompileResult): string {
  const t = r.compiled.target;
  const untuned = new Map((r.untuned?.layers ?? []).map((l) => [l.name, l]));
  const head = ['layer', 'kind', 'schedule', 'cycles', ...(r.untuned ? ['default cycles', 'default / tuned'] : []), 'GOPS', 'compute', 'load', 'store'];
  const row = (l: LayerFigures) => {
    const d = untuned.get(l.name);
    return [l.name, l.kind, schedule(l.schedule), l.cycles, ...(d ? [d.cycles, (d.cycles / l.cycles).toFixed(2)] : []), formatCount(l.gops), formatPercent(l.utilization.compute), formatPercent(l.utilization.load), formatPercent(l.utilization.store)];
  };
  const lines = [
    `${r.compiled.qgraph.name} on ${t.name} (${t.batch}×${t.blockIn}×${t.blockOut} GEMM, ${formatCount(t.clockHz / 1e6)} MHz): ${r.layers.length} layers on VTA, ${r.compiled.host.length} on the host`,
    '',
    renderTable(head, r.layers.map(row)),
    'compute/load/store: busy cycles of each module over the layer\'s cycles',
  ];
  if (r.compiled.host.length) {
    lines.push('', 'on the host (reference executor, fp32 on dequantized inputs, output requantized):', renderTable(['layer', 'op', 'why not on VTA'], r.compiled.host.map((h) => [h.name, h.op, h.reason]), { align: ['left', 'left', 'left'] }));
  }
  const tot = r.totals;
  lines.push('', `total: ${tot.cycles} cycles (${formatCount(tot.seconds * 1e3)} ms), ${formatCount(tot.gops)} GOPS of ${formatCount(tot.peakGops)} peak (${formatPercent(tot.gops / tot.peakGops)}) over the VTA layers, run one after another`);
  if (r.untuned) lines.push(`default schedules: ${r.untuned.totals.cycles} cycles; tuned / default = ${(tot.cycles / r.untuned.totals.cycles).toFixed(3)}`);
  return lines.join('\n');
}
