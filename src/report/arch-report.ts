import type { ArchSummary } from '../arch/summary.js';
import { formatBytes, formatCount } from '../util/units.js';
import { renderTable } from './table.js';

const num = (x: number | null, digits = 3) => (x === null ? '∞' : formatCount(x, digits));
const pj = (x: number) => String(Number(x.toPrecision(3)));

/** `accelmap arch` without an argument: the presets. */
export function renderPresets(presets: { name: string; description: string }[]): string {
  return renderTable(['preset', 'description'], presets.map((r) => [r.name, r.description]));
}

/** The terminal report of `accelmap arch`: peaks, efficiency, the storage levels, the vector unit, cores and where the energies come from. */
export function renderArch(s: ArchSummary): string {
  const lines: string[] = [];
  lines.push(`${s.name} — ${s.description}`);
  lines.push(`${s.technologyNm} nm, ${formatCount(s.clockHz)}Hz, ${s.macUnits} MAC units, area ${formatCount(s.areaUm2 / 1e6)} mm²${s.ridgeMacsPerByte !== null ? `, ridge ${s.ridgeMacsPerByte.toFixed(0)} MAC/B of DRAM bandwidth` : ''}`);
  lines.push('');
  lines.push(renderTable(['precision', 'MACs/cycle', 'peak MAC/s', 'peak OPS (2/MAC)', 'pJ/MAC'], s.peaks.map((p) => [p.precision, p.macsPerCycle, formatCount(p.macsPerSecond), formatCount(p.opsPerSecond), pj(p.energyPerMacPj)])));
  lines.push('');
  lines.push(`efficiency, all ${s.cores.count} core(s), at ${(100 * s.utilization).toFixed(0)}% utilization: MACs plus, at ${s.levels.at(-1)!.name} (bits moved), two operand reads per MAC and one partial-sum read and update per group of a MAC unit's lanes (a dot product over its MACs per cycle), plus leakage; traffic above it depends on the mapping (see map)`);
  lines.push(renderTable(['precision', 'peak TOPS', 'TOPS at util.', 'pJ/op MAC', 'pJ/op operands', 'pJ/op leakage', 'TOPS/W', 'TOPS/mm²'], s.efficiency.map((e) => [e.precision, e.peakTops.toFixed(2), e.tops.toFixed(2), pj(e.pjPerOp.mac), pj(e.pjPerOp.operands), pj(e.pjPerOp.leakage), pj(e.topsPerWatt), pj(e.topsPerMm2)])));
  lines.push('');
  lines.push(
    renderTable(
      ['level', 'class', 'instances', 'fan-out', 'capacity', 'word bits', 'block', 'read/write/shared words/cycle', 'holds', 'pJ read/fill/update per block', 'area µm²/instance'],
      s.levels.map((l) => [
        l.name,
        l.class,
        l.instances,
        l.fanOut,
        l.capacityBytes === null ? '∞' : `${formatBytes(l.capacityBytes)}${l.multipleBuffering > 1 ? ` ÷${l.multipleBuffering}` : ''}`,
        l.wordBits,
        l.blockSize,
        `${num(l.readBandwidth)}/${num(l.writeBandwidth)}/${num(l.sharedBandwidth)}`,
        Array.isArray(l.dataSpaces) ? l.dataSpaces.join(',') : 'all',
        `${pj(l.energyPj.read)}/${pj(l.energyPj.fill)}/${pj(l.energyPj.update)}`,
        formatCount(l.areaUm2),
      ]),
    ),
  );
  lines.push('');
  lines.push(`vector unit: ${s.vector.lanes} lanes, ${s.vector.opsPerCycle} ops/cycle, ${pj(s.vector.energyPerOpPj)} pJ/op`);
  if (s.cores.count > 1) lines.push(`cores: ${s.cores.count} on a ${s.cores.topology}, ${num(s.cores.linkBandwidthBytesPerCycle)} B/cycle per link, ${s.cores.linkLatencyCycles} cycles latency`);
  lines.push('energy sources:');
  for (const l of s.levels) lines.push(`  ${l.name}: ${l.energySource}`);
  for (const p of s.peaks) lines.push(`  MAC ${p.precision}: ${p.energySource}`);
  if (s.sources.length) {
    lines.push('sources:');
    for (const src of s.sources) lines.push(`  - ${src}`);
  }
  return lines.join('\n');
}
