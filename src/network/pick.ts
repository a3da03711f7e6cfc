import type { Architecture } from '../arch/types.js';
import type { Cost } from '../mapping/cost.js';
import { mappingToDirectives } from '../mapping/directives.js';
import { mappingFromBytes } from '../mapping/mapping.js';
import { problemMacs } from '../problem/types.js';
import type { DataflowChoice } from '../search/dataflows.js';
import { noValidMapping, type JobResult } from '../search/job.js';
import { best, type Objective } from '../search/objective.js';
import type { Partition } from './cores.js';
import type { NestPlan } from './plan.js';
import type { ProblemResult } from './result.js';
import type { Searched } from './searches.js';

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

/** A nest's search result, or the error its search ended in. */
function resultOf(results: Searched['results'], key: string): JobResult {
  const r = results.get(key)!;
  if (r.status === 'rejected') throw r.reason;
  return r.value;
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

export function pickNest(nest: NestPlan, results: Searched['results'], arch: Architecture, o: PickOptions): ProblemResult {
  const cores = arch.cores.count;
  const coresOf = (part: Partition) => (part.kind === 'single' ? 1 : cores);
  const candidates = nest.partitions.flatMap(({ part, key }) => {
    const r = resultOf(results, key);
    if (!r.best.mapping) return [];
    return [{ part, r, cycles: r.best.cycles + part.transferCycles, energyPj: r.best.energyPj * coresOf(part) + part.transferEnergyPj }];
  });
  const chosen = best(o, candidates);
  const { problem, repeat } = nest.lowered;
  if (!chosen) throw noValidMapping(problem, arch.name, resultOf(results, nest.partitions[0]!.key), nest.partitions.length > 1 ? 'any core partition' : undefined);
  const { part, r, cycles, energyPj } = chosen;
  const n = coresOf(part);
  return {
    kind: problem.kind,
    problem,
    repeat,
    dataflow: r.best.dataflow,
    mapping: mappingToDirectives(part.problem, arch, mappingFromBytes(part.problem, arch, r.best.mapping!)),
    cycles,
    energyPj,
    utilization: problemMacs(problem) / (cycles * o.peakMacs * cores),
    evaluated: r.byDataflow.reduce((s, x) => s + x.evaluated, 0),
    partition: { kind: part.kind, dim: part.dim, cores: n, transferCycles: part.transferCycles, transferEnergyPj: part.transferEnergyPj, perCoreProblem: part.problem },
    energyByLevelPj: energyByLevel(arch, r.best.cost!, n, part),
    ...(o.dataflow === 'all' ? { comparison: r.byDataflow.filter((x) => x.mapping).map((x) => ({ dataflow: x.dataflow, cycles: x.cycles + part.transferCycles, energyPj: x.energyPj * n + part.transferEnergyPj })) } : {}),
  };
}
