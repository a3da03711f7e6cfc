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
