import type { Architecture } from '../../arch/types.js';
import { costOf, type Cost } from '../../mapping/cost.js';
import type { MappingArrays } from '../../mapping/mapping.js';
import type { ModelOptions } from '../../mapping/model.js';
import { dataSpaceSize, type Problem } from '../../problem/types.js';
import type { TimeloopArch } from './arch.js';

/**
 * A mapping's evaluation in the fields of Timeloop's stats report
 * (timeloop-model.stats.txt): per level (the compute unit first, then the
 * storage levels from the innermost out, as Timeloop numbers them) and per
 * kept data space the utilized capacity and instances, scalar reads, updates
 * and fills per instance, energy per scalar access, per instance and in
 * total; the summary: cycles, utilization, energy, pJ per compute by level,
 * EDP and GFLOPs at 1 GHz = (2 · computes − output elements) / cycles.
 */
export interface TimeloopDataSpaceStats {
  dataSpace: string;
  /** Distinct elements one instance holds over the run (read-write data spaces). */
  partitionSize?: number;
  utilizedCapacity: number;
  utilizedInstances: number;
  scalarReads: number;
  scalarUpdates: number;
  scalarFills: number;
  /** Read-modify-writes of partial sums (read-write data spaces: its reads). */
  temporalReductions: number;
  energyPerScalarAccessPj: number;
  energyPerInstancePj: number;
  energyPj: number;
}

export interface TimeloopLevelStats {
  level: string;
  instances: number;
  meshX: number;
  meshY: number;
  sizeWords: number;
  wordBits: number;
  blockSize: number;
  clusterSize: number;
  readBandwidth: number;
  writeBandwidth: number;
  cycles: number;
  bandwidthThrottling: number;
  dataSpaces: TimeloopDataSpaceStats[];
  /** Access energy of the level (all instances). */
  energyPj: number;
  leakEnergyPj: number;
}

export interface TimeloopStats {
  compute: { name: string; instances: number; meshX: number; meshY: number; utilizedInstances: number; wordBits: number; energyPerOpPj: number; cycles: number; energyPj: number };
  /** Innermost first, as Timeloop prints them. */
  levels: TimeloopLevelStats[];
  summary: {
    computes: number;
    cycles: number;
    utilization: number;
    energyPj: number;
    pjPerCompute: { name: string; pj: number }[];
    totalPjPerCompute: number;
    edpJCycles: number;
    gflopsAt1GHz: number;
  };
  cost: Cost;
}

export function timeloopStats(problem: Problem, tl: TimeloopArch, mapping: MappingArrays, options: ModelOptions = {}): TimeloopStats {
  const arch: Architecture = tl.arch;
  const cost = costOf(problem, arch, mapping, options);
  const levels: TimeloopLevelStats[] = cost.levels.map((l, i) => {
    const spec = arch.levels[i]!;
    const info = tl.levels[i]!;
    // Timeloop's convention: leakage of the instances the mapping uses; accelmap's: of every instance.
    const leakEnergyPj = spec.energy.leakPjPerCycle * (options.convention === 'timeloop' ? l.utilizedInstances : spec.instances) * cost.cycles;
    return {
      level: l.level,
      instances: spec.instances,
      meshX: info.meshX,
      meshY: info.meshY,
      sizeWords: spec.capacityWords,
      wordBits: spec.wordBits,
      blockSize: spec.blockSize,
      clusterSize: info.clusterSize,
      readBandwidth: spec.readBandwidth,
      writeBandwidth: spec.writeBandwidth,
      cycles: l.cycles,
      bandwidthThrottling: l.slowdown,
      energyPj: l.energyPj + l.networkEnergyPj,
      leakEnergyPj,
      dataSpaces: l.dataSpaces
        .filter((d) => d.keep)
        .map((d) => {
          const perInstanceAccesses = d.reads + d.fills + d.updates;
          const perInstance = d.energyPj / l.utilizedInstances;
          const rw = d.partitionSize !== undefined;
          return {
            dataSpace: d.dataSpace,
            ...(rw ? { partitionSize: d.partitionSize } : {}),
            utilizedCapacity: d.tileSize,
            utilizedInstances: l.utilizedInstances,
            scalarReads: d.reads,
            scalarUpdates: d.updates,
            scalarFills: d.fills,
            temporalReductions: rw ? d.reads : 0,
            energyPerScalarAccessPj: perInstanceAccesses === 0 ? 0 : perInstance / perInstanceAccesses,
            energyPerInstancePj: perInstance,
            energyPj: d.energyPj,
          };
        }),
    };
  });
  const mode = arch.compute.precisions[0]!;
  const outputs = problem.dataSpaces.filter((d) => d.readWrite).reduce((a, d) => a + dataSpaceSize(problem, d), 0);
  const pjPerCompute = [
    { name: arch.compute.name, pj: cost.macEnergyPj / cost.macs },
    ...[...levels].reverse().map((l) => ({ name: l.level, pj: (l.energyPj + l.leakEnergyPj) / cost.macs })),
  ];
  return {
    compute: {
      name: arch.compute.name,
      instances: arch.compute.instances,
      meshX: tl.compute.meshX,
      meshY: tl.compute.meshY,
      utilizedInstances: cost.paddedMacs / cost.computeCycles,
      wordBits: mode.operandBits,
      energyPerOpPj: mode.energyPerMacPj,
      cycles: cost.computeCycles,
      energyPj: cost.macEnergyPj,
    },
    levels: [...levels].reverse(),
    summary: {
      computes: cost.macs,
      cycles: cost.cycles,
      utilization: cost.utilization,
      energyPj: cost.energyPj,
      pjPerCompute,
      totalPjPerCompute: cost.energyPj / cost.macs,
      edpJCycles: cost.energyPj * 1e-12 * cost.cycles,
      gflopsAt1GHz: (2 * cost.macs - outputs) / cost.cycles,
    },
    cost,
  };
}

const fixed = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const count = (x: number) => (Number.isFinite(x) ? (Number.isInteger(x) ? String(x) : x.toFixed(2)) : '-');

/** The report laid out like timeloop-model.stats.txt. */
export function formatTimeloopStats(s: TimeloopStats): string {
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
