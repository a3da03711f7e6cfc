import type { Architecture } from '../arch/types.js';
import { mappingToDirectives, type Directive } from '../mapping/directives.js';
import { mappingFromBytes } from '../mapping/mapping.js';
import type { Convention } from '../mapping/model.js';
import type { Problem } from '../problem/types.js';
import type { UserConstraints } from '../search/constraints-file.js';
import type { DataflowChoice } from '../search/dataflows.js';
import type { JobOutcome, JobResult, SearchJob } from '../search/job.js';
import { searchNest } from '../search/nest.js';
import type { Metric } from '../search/objective.js';
import { SearchPool } from '../search/pool.js';
import type { Budget, Strategy } from '../search/search.js';
import { AccelmapError, type ErrorCode, type ErrorLocation } from '../util/errors.js';
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

/**
 * One search's best point as plain data: the dataflow searched, the mapping
 * as Timeloop-style directives for the searched (per-core) loop nest, its
 * Cost in full, what the search evaluated. Without a valid mapping,
 * `mapping` and `cost` are null and `cycles` and `energyPj` Infinity (null
 * once through JSON; nothing reads them then).
 */
export interface FoundMapping extends Omit<JobOutcome, 'mapping'> {
  mapping: Directive[] | null;
}

/** A loop nest's search: the best over the dataflows searched, and each of them (one entry unless `all`). */
export interface NestSearch {
  best: FoundMapping;
  byDataflow: FoundMapping[];
}

/** A search that ended in a user's error (no valid mapping under the constraints given), thrown where its layer is picked. */
export interface SearchFailure {
  error: { code: ErrorCode; message: string; location: ErrorLocation; hint?: string };
}

/** The searches' results by key, and what they cost. */
export interface Searched {
  results: Record<string, NestSearch | SearchFailure>;
  evaluations: number;
  valid: number;
  /** Exhaustive searches stopped by the budget before visiting every point. */
  incomplete: number;
}

/** A search's result as plain data (bytes to directives of `problem`). */
function nestSearch(problem: Problem, arch: Architecture, r: JobResult): NestSearch {
  const found = ({ mapping, ...rest }: JobOutcome): FoundMapping => ({ ...rest, mapping: mapping && mappingToDirectives(problem, arch, mappingFromBytes(problem, arch, mapping)) });
  const byDataflow = r.byDataflow.map(found);
  return { best: byDataflow[r.byDataflow.indexOf(r.best)] ?? found(r.best), byDataflow };
}

function failure(e: unknown): SearchFailure {
  if (!(e instanceof AccelmapError)) throw e;
  return { error: { code: e.code, message: e.message, location: e.location, ...(e.hint !== undefined ? { hint: e.hint } : {}) } };
}

/** A search's result, or the error it ended in, thrown. */
export function nestResult(searched: Searched, key: string): NestSearch {
  const r = searched.results[key];
  if (!r) throw new AccelmapError('bad-input', `no search result for the loop nest ${key}`, {}, 'search every loop nest of the plan (plan.searches)');
  if ('error' in r) throw new AccelmapError(r.error.code, r.error.message, r.error.location, r.error.hint);
  return r;
}

/**
 * The second stage: every distinct loop nest searched once, all of them
 * submitted at once so that the pool's threads share the work; the workers
 * return each mapping with its cost.
 */
export async function searchAll(searches: Readonly<Record<string, Problem>>, arch: Architecture, s: NetworkSearchOptions): Promise<Searched> {
  const progress = s.progress ?? silentProgress;
  const pool = new SearchPool(s.threads);
  const keys = Object.keys(searches);
  let done = 0, evaluations = 0, valid = 0, incomplete = 0;
  const search = async (problem: Problem, key: string): Promise<NestSearch> => {
    const job: SearchJob = { problem, arch, dataflow: s.dataflow, metrics: s.metrics, strategy: s.strategy, budget: s.budget, seed: s.seed, precision: s.precision, convention: s.convention, constraints: s.constraints?.entries };
    const r = await searchNest(job, key, (task, urgent) => pool.run(task, urgent));
    done++;
    for (const x of r.byDataflow) {
      evaluations += x.evaluated;
      valid += x.valid;
      if (s.strategy === 'exhaustive' && !x.complete) incomplete++;
    }
    progress.update(`searched ${done}/${keys.length} distinct loop nests: ${evaluations.toLocaleString('en-US')} mappings evaluated, ${valid.toLocaleString('en-US')} valid`);
    return nestSearch(problem, arch, r);
  };
  try {
    const settled = await Promise.allSettled(keys.map((key) => search(searches[key]!, key)));
    const results: Searched['results'] = {};
    keys.forEach((key, i) => {
      const r = settled[i]!;
      results[key] = r.status === 'fulfilled' ? r.value : failure(r.reason);
    });
    return { results, evaluations, valid, incomplete };
  } finally {
    await pool.close();
  }
}
