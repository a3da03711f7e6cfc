import type { Architecture } from '../arch/types.js';
import { mappingFromBytes } from '../mapping/mapping.js';
import type { Convention } from '../mapping/model.js';
import { problemKey, type Problem } from '../problem/types.js';
import { AccelmapError } from '../util/errors.js';
import type { ConstraintEntry } from './constraints-file.js';
import { applyUserConstraints } from './user-constraints.js';
import { unconstrained } from './constraints.js';
import { dataflowConstraints, type Dataflow, type DataflowChoice } from './dataflows.js';
import type { Metric } from './objective.js';
import { searchProblem, type Budget, type SearchProgress, type SearchResult, type Strategy } from './search.js';

/**
 * The mapper's work as plain data, so that it can cross to a worker thread.
 * A job is one distinct loop nest under a dataflow choice (nest.ts splits
 * it into tasks); a task is one search: one constraint set, one budget,
 * optionally one step of the strategy's plan and points to start from. Seeds
 * are derived from the job's own key, so results do not depend on which
 * thread runs a task or in which order.
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

export interface SearchTask extends Omit<SearchJob, 'dataflow'> {
  /** The constraint set searched: a named dataflow or the whole space. */
  space: Dataflow | 'auto';
  /** One step of the plan (see SearchOptions.chain). */
  chain?: number;
  /** Mappings to start from, as bytes (see JobOutcome). */
  starts?: Uint8Array[];
  /** Constructed starting points for an annealing step (SearchOptions.construct). */
  construct?: number;
}

/**
 * A search result as it crosses between threads: the dataflow searched, the
 * best mapping as its bytes (`MappingArrays.bytes`; `mappingFromBytes` gives
 * the arrays back) and its Cost in full, so that nothing is evaluated again.
 */
export type JobOutcome = Omit<SearchResult, 'constraints' | 'mapping'> & { dataflow: string; mapping: Uint8Array | null };

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
  return {
    dataflow: r.constraints,
    mapping: r.mapping && r.mapping.bytes.slice(),
    cost: r.cost,
    cycles: r.cycles,
    energyPj: r.energyPj,
    evaluated: r.evaluated,
    valid: r.valid,
    complete: r.complete,
    seconds: r.seconds,
    log10Size: r.log10Size,
    ...(r.emptyReason !== undefined ? { emptyReason: r.emptyReason } : {}),
  };
}

/** Runs one task; `onProgress` hears from its search every few thousand evaluations. */
export function runTask(task: SearchTask, onProgress?: (p: SearchProgress & { dataflow: string }) => void): JobOutcome {
  const { problem, arch } = task;
  const base = task.space === 'auto' ? unconstrained(problem, arch) : dataflowConstraints(task.space, problem, arch);
  const user = task.constraints && { src: { file: 'constraints', value: null, locate: () => undefined }, entries: task.constraints };
  const c = user ? applyUserConstraints(base, user, problem, arch) : base;
  return outcome(
    searchProblem(problem, arch, c, {
      strategy: task.strategy,
      objective: { metrics: task.metrics },
      budget: task.budget,
      seed: task.seed,
      precision: task.precision,
      convention: task.convention,
      onProgress: onProgress && ((p) => onProgress({ ...p, dataflow: task.space })),
      chain: task.chain,
      construct: task.construct,
      starts: task.starts?.map((bytes) => mappingFromBytes(problem, arch, bytes)),
    }),
  );
}

/**
 * An empty search result is the user's to fix (the architecture cannot hold
 * the layer, the constraints leave nothing, the budget is too small): an
 * `infeasible` error saying why the mappings tried failed.
 */
export function noValidMapping(problem: Problem, archName: string, r: { byDataflow: readonly Pick<JobOutcome, 'dataflow' | 'emptyReason' | 'evaluated'>[] }, partitions?: string): AccelmapError {
  const why = r.byDataflow.map((x) => `${r.byDataflow.length > 1 ? `${x.dataflow}: ` : ''}${x.emptyReason ?? 'no valid mapping'}`).join('; ');
  return new AccelmapError(
    'infeasible',
    `no valid mapping of ${problemKey(problem)} on ${archName}${partitions ? ` (${partitions})` : ''}: ${why}`,
    {},
    r.byDataflow.every((x) => x.evaluated === 0) ? 'raise the budget' : 'give that level more capacity or fan-out, or relax the dataflow or the constraints',
  );
}
