import type { TimeloopStats } from '../interop/timeloop/stats.js';

const fixed = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const count = (x: number) => (Number.isFinite(x) ? (Number.isInteger(x) ? String(x) : x.toFixed(2)) : '-');

/**
 * A mapping's Timeloop statistics (interop/timeloop/stats.ts) laid out like
 * Timeloop's own timeloop-model.stats.txt, so the two can be read side by
 * side.
 */
export function formatTimeloopStats(s: Omit<TimeloopStats, 'cost'>): string {
  const out: string[] = ['Buffer and Arithmetic Levels', '----------------------------'];
  const field = (indent: number, name: string, width: number, value: string) => out.push(`${' '.repeat(indent)}${name.padEnd(width)} : ${value}`);
  const c = s.compute;
  out.push('Level 0', '-------', `=== ${c.name} ===`, '', '    SPECS', '    -----');
  field(4, 'Word bits', 20, String(c.wordBits));
  field(4, 'Instances', 20, `${c.instances} (${c.meshX}*${c.meshY})`);
  field(4, 'Energy-per-op', 20, `${fixed(c.energyPerOpPj, 3)} pJ`);
  out.push('', '    STATS', '    -----');
  field(4, 'Utilized instances', 20, count(c.utilizedInstances));
  field(4, 'Cycles', 20, count(c.cycles));
  field(4, 'Energy (total)', 20, `${fixed(c.energyPj)} pJ`);
  out.push('');
  s.levels.forEach((l, i) => {
    out.push(`Level ${i + 1}`, '-------', `=== ${l.level} ===`, '', '    SPECS', '    -----');
    field(8, 'Size', 20, count(l.sizeWords));
    field(8, 'Word bits', 20, String(l.wordBits));
    field(8, 'Block size', 20, String(l.blockSize));
    field(8, 'Cluster size', 20, String(l.clusterSize));
    field(8, 'Instances', 20, `${l.instances} (${l.meshX}*${l.meshY})`);
    field(8, 'Read bandwidth', 20, fixed(l.readBandwidth));
    field(8, 'Write bandwidth', 20, fixed(l.writeBandwidth));
    out.push('', '    STATS', '    -----');
    field(4, 'Cycles', 20, count(l.cycles));
    field(4, 'Bandwidth throttling', 20, fixed(l.bandwidthThrottling));
    for (const d of l.dataSpaces) {
      out.push(`    ${d.dataSpace}:`);
      const f = (name: string, value: string) => field(8, name, 40, value);
      if (d.partitionSize !== undefined) f('Partition size', count(d.partitionSize));
      f('Utilized capacity', count(d.utilizedCapacity));
      f('Utilized instances (max)', count(d.utilizedInstances));
      f('Scalar reads (per-instance)', count(d.scalarReads));
      f('Scalar updates (per-instance)', count(d.scalarUpdates));
      f('Scalar fills (per-instance)', count(d.scalarFills));
      f('Temporal reductions (per-instance)', count(d.temporalReductions));
      f('Energy (per-scalar-access)', `${fixed(d.energyPerScalarAccessPj)} pJ`);
      f('Energy (per-instance)', `${fixed(d.energyPerInstancePj)} pJ`);
      f('Energy (total)', `${fixed(d.energyPj)} pJ`);
    }
    if (l.leakEnergyPj > 0) field(4, 'Leakage energy (total)', 20, `${fixed(l.leakEnergyPj)} pJ`);
    out.push('');
  });
  const m = s.summary;
  out.push('Summary Stats', '-------------');
  out.push(`GFLOPs (@1GHz): ${fixed(m.gflopsAt1GHz)}`, `Utilization: ${fixed(m.utilization)}`, `Cycles: ${m.cycles}`, `Energy: ${fixed(m.energyPj * 1e-6)} uJ`, `EDP(J*cycle): ${m.edpJCycles.toExponential(2)}`, '');
  out.push(`Computes = ${m.computes}`, 'pJ/Compute');
  const width = Math.max(5, ...m.pjPerCompute.map((x) => x.name.length)) + 1;
  for (const x of m.pjPerCompute) out.push(`    ${x.name.padEnd(width)}= ${fixed(x.pj, 3)}`);
  out.push(`    ${'Total'.padEnd(width)}= ${fixed(m.totalPjPerCompute, 3)}`);
  return out.join('\n');
}
