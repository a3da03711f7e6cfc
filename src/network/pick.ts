import type { Architecture } from '../arch/types.js';
import type { Cost } from '../mapping/cost.js';
import { problemMacs } from '../problem/types.js';
import type { DataflowChoice } from '../search/dataflows.js';
import { noValidMapping } from '../search/job.js';
import { best, type Objective } from '../search/objective.js';
import type { Partition } from './cores.js';
import type { NestPlan, NetworkPlan } from './plan.js';
import type { ProblemResult } from './result.js';
import { nestResult, type Searched } from './searches.js';

/**
 * The third stage: for each loop nest of a layer, the best of its partitions
 * across the cores (by the objective, transfers included), with the cost its
 * search's worker gave (nothing is evaluated here).
 */
export interface PickOptions extends Objective {
  dataflow: DataflowChoice;
  /** Peak MACs per cycle of one core. */
  peakMacs: number;
}

/** Energy per storage level (with its fan-out network), the MACs, leakage and the interconnect, over `n` cores. */
function energyByLevel(arch: Architecture, cost: Cost, n: number, part: Partition): Record<string, number> {
  const out: Record<string, number> = {};
  for (const lv of cost.levels) out[lv.level] = (lv.energyPj + lv.networkEnergyPj) * n;
  out[arch.compute.name] = cost.macEnergyPj * n;
  if (cost.leakEnergyPj) out.leakage = cost.leakEnergyPj * n;
  if (part.transferEnergyPj) out.interconnect = part.transferEnergyPj;
  return out;
}

/** One loop nest's pick (its search's error thrown, or an `infeasible` error when no partition found a mapping). */
export function pickNest(nest: NestPlan, searched: Searched, arch: Architecture, o: PickOptions): ProblemResult {
  const cores = arch.cores.count;
  const coresOf = (part: Partition) => (part.kind === 'single' ? 1 : cores);
  const candidates = nest.partitions.flatMap(({ part, key }) => {
    const r = nestResult(searched, key);
    if (!r.best.mapping) return [];
    return [{ part, r, cycles: r.best.cycles + part.transferCycles, energyPj: r.best.energyPj * coresOf(part) + part.transferEnergyPj }];
  });
  const chosen = best(o, candidates);
  const { problem, repeat } = nest.lowered;
  if (!chosen) throw noValidMapping(problem, arch.name, nestResult(searched, nest.partitions[0]!.key), nest.partitions.length > 1 ? 'any core partition' : undefined);
  const { part, r, cycles, energyPj } = chosen;
  const n = coresOf(part);
  return {
    kind: problem.kind,
    problem,
    repeat,
    dataflow: r.best.dataflow,
    mapping: r.best.mapping,
    cycles,
    energyPj,
    utilization: problemMacs(problem) / (cycles * o.peakMacs * cores),
    evaluated: r.byDataflow.reduce((s, x) => s + x.evaluated, 0),
    partition: { kind: part.kind, dim: part.dim, cores: n, transferCycles: part.transferCycles, transferEnergyPj: part.transferEnergyPj, perCoreProblem: part.problem },
    energyByLevelPj: energyByLevel(arch, r.best.cost!, n, part),
    ...(o.dataflow === 'all' ? { comparison: r.byDataflow.filter((x) => x.mapping).map((x) => ({ dataflow: x.dataflow, cycles: x.cycles + part.transferCycles, energyPj: x.energyPj * n + part.transferEnergyPj })) } : {}),
  };
}

/** Each layer's picks, one per loop nest (none for a layer without MACs), for the plan's layers and its baseline's. */
export interface Picked {
  layers: ProblemResult[][];
  baseline?: ProblemResult[][];
}

/** Picks every loop nest of the plan, layer by layer (so that the first layer whose search failed throws). */
export function pickAll(plan: NetworkPlan, searched: Searched, arch: Architecture, o: Omit<PickOptions, 'peakMacs'>): Picked {
  const options = { ...o, peakMacs: plan.peakMacs };
  const pickLayers = (layers: NetworkPlan['layers']) => layers.map((l) => l.nests.map((nest) => pickNest(nest, searched, arch, options)));
  return { layers: pickLayers(plan.layers), ...(plan.baseline ? { baseline: pickLayers(plan.baseline) } : {}) };
}
