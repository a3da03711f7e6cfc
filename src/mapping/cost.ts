import type { Architecture } from '../arch/types.js';
import type { Problem } from '../problem/types.js';
import { AccelmapError } from '../util/errors.js';
import type { MappingArrays } from './mapping.js';
import { CostModel, INVALID, type ModelOptions } from './model.js';

/**
 * The cost of one mapping in Timeloop's vocabulary: per storage level and data
 * space the tile ("utilized capacity"), partition, reads, fills and updates
 * per instance and in total, utilized instances and energy; per level the
 * cycles it would need alone; and the summary (cycles, utilization, energy,
 * pJ/MAC, EDP). MACs are real MACs of the problem; `paddedMacs` counts the
 * iterations the mapping executes including padding.
 */
export interface DataSpaceStats {
  dataSpace: string;
  keep: boolean;
  /** Words of the tile one instance holds. */
  tileSize: number;
  /** Distinct words one instance holds over the whole run (read-write data spaces). */
  partitionSize?: number;
  /** Per instance. */
  reads: number;
  fills: number;
  updates: number;
  /** All utilized instances. */
  totalReads: number;
  totalFills: number;
  totalUpdates: number;
  energyPj: number;
}

export interface LevelStats {
  level: string;
  utilizedInstances: number;
  /** Kept words per instance over the capacity (after multiple buffering). */
  utilizedCapacity: number;
  capacityWords: number;
  dataSpaces: DataSpaceStats[];
  /** Bandwidth over demand (1 when the level keeps up). */
  slowdown: number;
  cycles: number;
  energyPj: number;
  /** Energy of the fan-out network below this level. */
  networkEnergyPj: number;
}

export interface Cost {
  /** The problem's family (conv, matmul …). */
  kind: string;
  arch: string;
  precision: string;
  macs: number;
  paddedMacs: number;
  cycles: number;
  computeCycles: number;
  /** Iterations a MAC unit's lanes run together under a named precision, each word they span read once (1: every MAC reads its own). */
  laneIterations: number;
  /** MACs ÷ (cycles × MAC units × MACs per cycle). */
  utilization: number;
  energyPj: number;
  macEnergyPj: number;
  leakEnergyPj: number;
  pjPerMac: number;
  /** energy (pJ) × cycles. */
  edp: number;
  seconds: number;
  /** Levels outermost first (Timeloop prints them innermost first). */
  levels: LevelStats[];
}

/**
 * Cycles and energy: the part of a cost that adds up across loop nests,
 * layers and networks, and that the objective weighs. Every result of the
 * mapper (a mapping's Cost, a layer's, the totals) is one.
 */
export interface CostSum {
  cycles: number;
  energyPj: number;
}

/** Σ costs (each `times(x)` times, e.g. a loop nest's repeat), added in order. */
export function sumCosts<T extends CostSum>(xs: readonly T[], times: (x: T) => number = () => 1): CostSum {
  let cycles = 0, energyPj = 0;
  for (const x of xs) {
    const n = times(x);
    cycles += x.cycles * n;
    energyPj += x.energyPj * n;
  }
  return { cycles, energyPj };
}

/** Evaluates a mapping and describes the result, or throws an `infeasible` error saying why it is invalid. */
export function costOf(problem: Problem, arch: Architecture, mapping: MappingArrays, options: ModelOptions = {}): Cost {
  const model = new CostModel(problem, arch, options);
  if (!model.evaluate(mapping)) throw new AccelmapError('infeasible', invalidReason(model), {}, invalidHint(model));
  return describe(model, mapping);
}

/** One line saying why the model's last mapping was invalid. */
export function invalidReason(model: CostModel): string {
  const { arch, problem } = model;
  const w = model.invalidWhere;
  switch (model.invalidCode) {
    case INVALID.factors:
      return `the factors of ${problem.dims[w]} multiply to ${model.invalidValue}, less than its bound ${problem.bounds[w]}`;
    case INVALID.fanOut: {
      const below = w + 1 < arch.levels.length ? arch.levels[w + 1]! : undefined;
      const fo = below ? below.fanOut : arch.compute.fanOut;
      return `the spatial factors below ${arch.levels[w]!.name} need ${model.invalidValue} instances along one axis, but the fan-out into ${below?.name ?? arch.compute.name} is ${fo.meshX}×${fo.meshY}`;
    }
    case INVALID.capacity: {
      const l = arch.levels[w]!;
      return `${l.name} capacity exceeded: the kept tiles need ${model.invalidValue} words, the level holds ${l.capacityWords / l.multipleBuffering}${l.multipleBuffering > 1 ? ` (${l.capacityWords} / multiple buffering ${l.multipleBuffering})` : ''}`;
    }
    case INVALID.order:
      return `the loop order of ${arch.levels[w]!.name} does not list every dimension (${problem.dims.join(', ')}) exactly once`;
    case INVALID.keep: {
      const l = arch.levels[w]!;
      const ds = problem.dataSpaces[model.invalidValue]!.name;
      return w === 0 ? `${l.name} is the backing store and must keep ${ds}` : `${l.name} cannot hold ${ds} (it holds ${l.dataSpaces?.join(', ')})`;
    }
    default:
      return 'valid';
  }
}

function invalidHint(model: CostModel): string {
  switch (model.invalidCode) {
    case INVALID.factors:
      return 'the factors of every dimension over all levels must reach its bound';
    case INVALID.fanOut:
      return 'lower the spatial factors at that level';
    case INVALID.capacity:
      return 'use smaller factors at or below that level, or bypass a data space there';
    case INVALID.order:
      return 'give each level a permutation of the dimensions';
    default:
      return 'change the keep/bypass lists';
  }
}

/** The report of the model's last (valid) evaluation. */
export function describe(model: CostModel, mapping: MappingArrays): Cost {
  const { arch, problem, DS } = model;
  const levels: LevelStats[] = arch.levels.map((level, l) => {
    let kept = 0;
    let energy = 0;
    const dataSpaces = problem.dataSpaces.map((ds, s): DataSpaceStats => {
      const i = l * DS + s;
      const keep = mapping.keep[i] === 1;
      const used = model.usedInstances[l]!;
      if (keep) kept += model.tileSize[i]!;
      energy += model.energyPj[i]!;
      return {
        dataSpace: ds.name,
        keep,
        tileSize: keep ? model.tileSize[i]! : 0,
        ...(ds.readWrite && keep ? { partitionSize: model.partition[i]! } : {}),
        reads: model.reads[i]!,
        fills: model.fills[i]!,
        updates: model.updates[i]!,
        totalReads: model.reads[i]! * used,
        totalFills: model.fills[i]! * used,
        totalUpdates: model.updates[i]! * used,
        energyPj: model.energyPj[i]!,
      };
    });
    return {
      level: level.name,
      utilizedInstances: model.usedInstances[l]!,
      utilizedCapacity: kept,
      capacityWords: level.capacityWords / level.multipleBuffering,
      dataSpaces,
      slowdown: model.slowdown[l]!,
      cycles: model.levelCycles[l]!,
      energyPj: energy,
      networkEnergyPj: model.networkEnergyPj[l]!,
    };
  });
  return {
    kind: problem.kind,
    arch: arch.name,
    precision: model.precision.name,
    macs: model.realMacs,
    paddedMacs: model.paddedMacs,
    cycles: model.cycles,
    computeCycles: model.computeCycles,
    laneIterations: model.laneIterations,
    utilization: model.utilization,
    energyPj: model.totalEnergyPj,
    macEnergyPj: model.macEnergyPj,
    leakEnergyPj: model.leakEnergyPj,
    pjPerMac: model.totalEnergyPj / model.realMacs,
    edp: model.totalEnergyPj * model.cycles,
    seconds: model.cycles / arch.clockHz,
    levels,
  };
}
