import { AccelmapError } from '../util/errors.js';
import { gapTarget, lowerBound } from './bounds.js';
import { applicable, DATAFLOWS, type Dataflow } from './dataflows.js';
import { derivedSeed, type JobOutcome, type JobResult, type SearchJob, type SearchTask } from './job.js';
import { best, metricValue, type Objective } from './objective.js';
import type { Budget } from './search.js';

/**
 * One distinct loop nest's search as tasks, so that threads share work below
 * the level of whole nests. A named dataflow is one task; `all` runs every
 * applicable one and the whole space (`auto`) too, so that it never loses to
 * `auto`. With the hybrid strategy, `auto` is:
 *   - for each of the usual dataflows that applies (SEED_DATAFLOWS: weight,
 *     output and row stationary), the search `--dataflow d` runs on
 *     SEED_SHARE of the budget: a quick solution each;
 *   - then AUTO_CHAINS annealing chains, tasks of their own, each from the
 *     best of one of those solutions (each in turn) and of CONSTRUCTED
 *     points of its own, built
 *     without evaluations (filling spatial assignments, loops allocated
 *     bottom-up: anneal.ts `construct`), hopping between spatial structures
 *     when stuck (anneal.ts `runChain`) — none when the seeds' best is
 *     already within the budget's `gap` of the nest's lower bound.
 * Its result is the best of all of these, so that `auto` never loses to the
 * quick solutions of ws, os and rs (what `--dataflow d` finds on SEED_SHARE
 * of the budget); `all` runs auto as it runs alone, so that it never loses
 * to it.
 * `run` runs a task (on a pool); `urgent` tasks are the tail of a nest that
 * others wait on and go first.
 */
export type RunTask = (task: SearchTask, urgent: boolean) => Promise<JobOutcome>;

/** The dataflows whose searches give `auto` its starting points (is and nlr seldom win). */
export const SEED_DATAFLOWS: readonly Dataflow[] = ['ws', 'os', 'rs'];

/** Of a budget: what each of auto's seed searches gets … */
export const SEED_SHARE = 1 / 30;

/** … and each of its AUTO_CHAINS annealing chains: what the seeds leave (with three seeds, the budget in all). */
const AUTO_CHAINS = 3;
const CHAIN_SHARE = (1 - SEED_DATAFLOWS.length * SEED_SHARE) / AUTO_CHAINS;

/** Points each chain builds before it anneals (anneal.ts `construct`): a seventh of its evaluations, at most 500 (building one costs more than evaluating it). */
const CONSTRUCTED = 500;
const CONSTRUCTED_SHARE = 1 / 7;

/** The best outcome that found a mapping (the first when none did). */
function bestOf(o: Objective, xs: JobOutcome[]): JobOutcome {
  return best(o, xs.filter((x) => x.mapping)) ?? xs[0]!;
}

/** A budget cut to `share` of the given one (evaluations rounded down; patience and gap kept). */
function scaled(b: Budget, share: number): Budget {
  return {
    ...(b.evaluations !== undefined ? { evaluations: Math.max(1, Math.floor(b.evaluations * share)) } : {}),
    ...(b.seconds !== undefined ? { seconds: b.seconds * share } : {}),
    ...(b.patience !== undefined ? { patience: b.patience } : {}),
    ...(b.gap !== undefined ? { gap: b.gap } : {}),
  };
}

/** The tasks' outcomes as one: the best point, evaluations and time summed. */
function merged(o: Objective, dataflow: string, parts: JobOutcome[]): JobOutcome {
  const best = bestOf(o, parts);
  return {
    ...best,
    dataflow,
    evaluated: parts.reduce((s, p) => s + p.evaluated, 0),
    valid: parts.reduce((s, p) => s + p.valid, 0),
    seconds: parts.reduce((s, p) => s + p.seconds, 0),
    complete: false,
    log10Size: parts[parts.length - 1]!.log10Size,
  };
}

/** Whether an outcome is within the budget's gap of the nest's lower bound (see Budget.gap). */
function closeEnough(job: SearchJob, x: JobOutcome): boolean {
  const { gap } = job.budget;
  if (gap === undefined || !x.mapping) return false;
  return metricValue(job.metrics[0]!, x.cycles, x.energyPj) <= gapTarget({ metrics: job.metrics }, lowerBound(job.problem, job.arch, job), gap);
}

/** A round of a nest's tasks, independent of each other; `urgent` marks a nest's tail. */
interface Round {
  tasks: SearchTask[];
  urgent: boolean;
}

/** A task's outcome, or the infeasible error its constraints gave. */
type Outcome = JobOutcome | AccelmapError;

/**
 * A nest's search as rounds of tasks: each `yield` hands out a round and
 * takes back its outcomes in the same order (so that one plan serves a pool
 * and this thread alike); returns the nest's result.
 */
function* nestPlan(job: SearchJob, key: string): Generator<Round, JobResult, Outcome[]> {
  const { dataflow, ...base } = job;
  const o = { metrics: job.metrics };
  const timed = job.budget.seconds !== undefined;
  const hybridAuto = (dataflow === 'auto' || dataflow === 'all') && job.strategy === 'hybrid';
  const named: Dataflow[] = dataflow === 'auto' ? [] : dataflow === 'all' ? DATAFLOWS.filter((d) => applicable(d, job.problem)) : [dataflow];
  const flows = hybridAuto ? SEED_DATAFLOWS.filter((d) => applicable(d, job.problem)) : [];
  // A dataflow asked for by name (all's) gets the whole budget, as `--dataflow d` would; auto's seeds get SEED_SHARE each,
  // under all as alone (so that all's auto is auto). Seconds: the same shares, auto's chains taking what its seeds left.
  const dataflowTask = (d: Dataflow, budget: Budget): SearchTask => ({ ...base, space: d, budget, seed: derivedSeed(job.seed, `${key}/${d}`) });
  const tasks: SearchTask[] = named.map((d) => dataflowTask(d, job.budget));
  const seeds = flows.map((d) => tasks.push(dataflowTask(d, scaled(job.budget, SEED_SHARE))) - 1);
  const firstChain = tasks.length;
  if (!hybridAuto && (dataflow === 'auto' || dataflow === 'all')) tasks.push({ ...base, space: 'auto', seed: derivedSeed(job.seed, `${key}/auto`) });
  const out = yield { tasks, urgent: false };
  // A dataflow asked for by name fails as it would alone; as a starting point, one the constraints leave no room for gives none.
  const byDataflow = named.map((_, i) => {
    const x = out[i]!;
    if (x instanceof AccelmapError) throw x;
    return x;
  });
  const found = (x: Outcome | undefined): x is JobOutcome => x !== undefined && !(x instanceof AccelmapError);
  if (!hybridAuto) {
    const auto = out[firstChain];
    if (auto instanceof AccelmapError) throw auto;
    if (auto) byDataflow.push(auto);
    return { best: bestOf(o, byDataflow), byDataflow };
  }
  const quick = seeds.map((i) => out[i]).filter(found);
  const top = quick.length > 0 ? bestOf(o, quick) : undefined;
  // The annealing chains, each from the best of one seed's point (in turn, for diverse starts) and CONSTRUCTED points of
  // its own; none when the seeds' best is already within the budget's gap of the nest's lower bound.
  const points = quick.filter((x) => x.mapping).map((x) => x.mapping!);
  const spent = quick.reduce((sum, x) => sum + x.seconds, 0);
  const chainBudget = timed ? { ...job.budget, seconds: Math.max(0, job.budget.seconds! - spent) / AUTO_CHAINS } : scaled(job.budget, CHAIN_SHARE);
  const chainCount = top && closeEnough(job, top) ? 0 : AUTO_CHAINS;
  const construct = Math.max(1, Math.min(CONSTRUCTED, Math.floor((chainBudget.evaluations ?? Infinity) * CONSTRUCTED_SHARE)));
  const chainTask = (i: number): SearchTask => ({ ...base, space: 'auto', chain: 0, construct, seed: derivedSeed(job.seed, `${key}/chain${i}`), budget: chainBudget, ...(points.length > 0 ? { starts: [points[i % points.length]!] } : {}) });
  const chains = yield { tasks: Array.from({ length: chainCount }, (_, i) => chainTask(i)), urgent: true };
  const unmappable = chains.find((x) => x instanceof AccelmapError);
  if (unmappable) throw unmappable;
  const annealed = chains.filter(found);
  const auto = merged(o, 'auto', [...quick, ...annealed]);
  byDataflow.push(auto);
  return { best: bestOf(o, byDataflow), byDataflow };
}

function infeasible(e: unknown): AccelmapError {
  if (e instanceof AccelmapError && e.code === 'infeasible') return e;
  throw e;
}

/** Searches a nest, its tasks run by `run` (on a pool: the tasks of a round in parallel). */
export async function searchNest(job: SearchJob, key: string, run: RunTask): Promise<JobResult> {
  const plan = nestPlan(job, key);
  let step = plan.next([]);
  while (!step.done) {
    const { tasks, urgent } = step.value;
    step = plan.next(await Promise.all(tasks.map((t) => run(t, urgent).catch(infeasible))));
  }
  return step.value;
}

/** Searches a nest in this thread. */
export function searchNestHere(job: SearchJob, key: string, run: (task: SearchTask) => JobOutcome): JobResult {
  const plan = nestPlan(job, key);
  let step = plan.next([]);
  while (!step.done) {
    step = plan.next(
      step.value.tasks.map((t) => {
        try {
          return run(t);
        } catch (e) {
          return infeasible(e);
        }
      }),
    );
  }
  return step.value;
}
