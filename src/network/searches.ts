import type { Architecture } from '../arch/types.js';
import type { Convention } from '../mapping/model.js';
import type { Problem } from '../problem/types.js';
import type { UserConstraints } from '../search/constraints-file.js';
import type { DataflowChoice } from '../search/dataflows.js';
import type { JobResult, SearchJob } from '../search/job.js';
import { searchNest } from '../search/nest.js';
import type { Metric } from '../search/objective.js';
import { SearchPool } from '../search/pool.js';
import type { Budget, Strategy } from '../search/search.js';
import { silentProgress, type Progress } from '../util/progress.js';

/** How every loop nest of a network is searched. */
export interface NetworkSearchOptions {
  dataflow: DataflowChoice;
  metrics: Metric[];
  strategy: Strategy;
  /** Per distinct loop nest (and per dataflow for `all`). */
  budget: Budget;
  seed: number;
  threads: number;
  precision?: string;
  /** The cost model's counting convention (ModelOptions.convention). */
  convention?: Convention;
  constraints?: UserConstraints;
  progress?: Progress;
}

/** The searches' results by key (a failed search keeps its error, thrown where its layer is assembled), and what they cost. */
export interface Searched {
  results: Map<string, PromiseSettledResult<JobResult>>;
  evaluations: number;
  valid: number;
  /** Exhaustive searches stopped by the budget before visiting every point. */
  incomplete: number;
}

/**
 * The second stage: every distinct loop nest searched once, all of them
 * submitted at once so that the pool's threads share the work; the workers
 * return each mapping with its cost.
 */
export async function searchAll(searches: ReadonlyMap<string, Problem>, arch: Architecture, s: NetworkSearchOptions): Promise<Searched> {
  const progress = s.progress ?? silentProgress;
  const pool = new SearchPool(s.threads);
  let done = 0, evaluations = 0, valid = 0, incomplete = 0;
  const search = async (problem: Problem, key: string): Promise<JobResult> => {
    const job: SearchJob = { problem, arch, dataflow: s.dataflow, metrics: s.metrics, strategy: s.strategy, budget: s.budget, seed: s.seed, precision: s.precision, convention: s.convention, constraints: s.constraints?.entries };
    const r = await searchNest(job, key, (task, urgent) => pool.run(task, urgent));
    done++;
    for (const x of r.byDataflow) {
      evaluations += x.evaluated;
      valid += x.valid;
      if (s.strategy === 'exhaustive' && !x.complete) incomplete++;
    }
    progress.update(`searched ${done}/${searches.size} distinct loop nests: ${evaluations.toLocaleString('en-US')} mappings evaluated, ${valid.toLocaleString('en-US')} valid`);
    return r;
  };
  try {
    const keys = [...searches.keys()];
    const settled = await Promise.allSettled(keys.map((key) => search(searches.get(key)!, key)));
    return { results: new Map(keys.map((key, i) => [key, settled[i]!])), evaluations, valid, incomplete };
  } finally {
    await pool.close();
  }
}
