import type { Architecture } from '../arch/types.js';
import type { Convention } from '../mapping/model.js';
import { problemKey, type Problem } from '../problem/types.js';
import { AccelmapError } from '../util/errors.js';
import { applyUserConstraints, type ConstraintEntry } from './constraints-file.js';
import { constraintSets, type DataflowChoice } from './dataflows.js';
import { compare, type Metric } from './objective.js';
import { searchProblem, type Budget, type SearchProgress, type SearchResult, type Strategy } from './search.js';

/**
 * One unit of mapper work, plain data so that it can cross to a worker
 * thread: search one problem under a dataflow choice (every applicable
 * dataflow for `all`). The seed is derived from the job's own key, so results
 * do not depend on which thread runs it or in which order.
 */
export interface SearchJob {
  problem: Problem;
  arch: Architecture;
  dataflow: DataflowChoice;
  metrics: Metric[];
  strategy: Strategy;
  budget: Budget;
  seed: number;
  precision?: string;
  convention?: Convention;
  /** User constraints (already validated), added to each dataflow's. */
  constraints?: ConstraintEntry[];
}

/** A found mapping in plain arrays (typed arrays do not survive JSON). */
export interface FoundMapping {
  temporal: number[];
  spatialX: number[];
  spatialY: number[];
  order: number[];
  keep: number[];
}

/** A search result as plain data: the dataflow searched and the mapping in arrays. */
export type JobOutcome = Omit<SearchResult, 'constraints' | 'mapping'> & { dataflow: string; mapping: FoundMapping | null };

export interface JobResult {
  /** Best over the dataflows searched. */
  best: JobOutcome;
  /** Every dataflow searched (one entry unless `all`). */
  byDataflow: JobOutcome[];
}

/** FNV-1a over a string, mixed with the seed. */
export function derivedSeed(seed: number, key: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function outcome(r: SearchResult): JobOutcome {
  const m = r.mapping;
  return {
    dataflow: r.constraints,
    mapping: m && { temporal: [...m.temporal], spatialX: [...m.spatialX], spatialY: [...m.spatialY], order: [...m.order], keep: [...m.keep] },
    cycles: r.cycles,
    energyPj: r.energyPj,
    utilization: r.utilization,
    evaluated: r.evaluated,
    valid: r.valid,
    complete: r.complete,
    seconds: r.seconds,
    log10Size: r.log10Size,
    ...(r.emptyReason !== undefined ? { emptyReason: r.emptyReason } : {}),
  };
}

/** Searches one job; `onProgress` hears from each dataflow's search every few thousand evaluations. */
export function runJob(job: SearchJob, key: string, onProgress?: (p: SearchProgress & { dataflow: string }) => void): JobResult {
  const objective = { metrics: job.metrics };
  const user = job.constraints && { src: { file: 'constraints', value: null, locate: () => undefined }, entries: job.constraints };
  const sets = constraintSets(job.dataflow, job.problem, job.arch).map((c) => (user ? applyUserConstraints(c, user, job.problem, job.arch) : c));
  const byDataflow = sets.map((c) =>
    outcome(searchProblem(job.problem, job.arch, c, { strategy: job.strategy, objective, budget: job.budget, seed: derivedSeed(job.seed, `${key}/${c.name}`), precision: job.precision, convention: job.convention, onProgress: onProgress && ((p) => onProgress({ ...p, dataflow: c.name })) })),
  );
  let best = byDataflow[0]!;
  for (const o of byDataflow) if (o.mapping && (!best.mapping || compare(objective, o.cycles, o.energyPj, best.cycles, best.energyPj) < 0)) best = o;
  return { best, byDataflow };
}

/**
 * An empty search result is the user's to fix (the architecture cannot hold
 * the layer, the constraints leave nothing, the budget is too small): an
 * `infeasible` error saying why the mappings tried failed.
 */
export function noValidMapping(problem: Problem, archName: string, r: JobResult, partitions?: string): AccelmapError {
  const why = r.byDataflow.map((x) => `${r.byDataflow.length > 1 ? `${x.dataflow}: ` : ''}${x.emptyReason ?? 'no valid mapping'}`).join('; ');
  return new AccelmapError(
    'infeasible',
    `no valid mapping of ${problemKey(problem)} on ${archName}${partitions ? ` (${partitions})` : ''}: ${why}`,
    {},
    r.byDataflow.every((x) => x.evaluated === 0) ? 'raise the budget' : 'give that level more capacity or fan-out, or relax the dataflow or the constraints',
  );
}
