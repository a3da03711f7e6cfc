import { AccelmapError } from '../util/errors.js';
import { gapTarget, lowerBound } from './bounds.js';
import { applicable, DATAFLOWS, type Dataflow } from './dataflows.js';
import { derivedSeed, type JobOutcome, type JobResult, type SearchJob, type SearchTask } from './job.js';
import { best, metricValue, type Objective } from './objective.js';
import { CHAINS, type Budget } from './search.js';

/**
 * One distinct loop nest's search as tasks, so that threads share work below
 * the level of whole nests. A named dataflow is one task; `all` runs every
 * applicable one and the whole space (`auto`) too, so that it never loses to
 * `auto`. With the hybrid strategy, `auto` is:
 *   - the search `--dataflow d` runs, for each of the usual dataflows that
 *     applies (SEED_DATAFLOWS: weight, output and row stationary): its
 *     starting points;
 *   - then the annealing steps of the plan, each a task of its own that
 *     starts from one of those dataflows' best points (from random points
 *     where none applies), and beside them one more annealing chain from
 *     the best of the dataflows' best point and CONSTRUCTED points built
 *     without evaluations (filling spatial assignments, loops allocated
 *     bottom-up: search.ts `construct`), whose result counts only in the
 *     nest's best, so that adding it changed nothing else;
 *   - then the plan's descent from the best annealed point and, where a
 *     dataflow's point is better still, a second descent from that — none
 *     when the best so far is already within the budget's `gap` of the
 *     nest's lower bound.
 * Its result is the best of all of these, so that (for a budget in
 * evaluations) `auto` never loses to ws, os or rs, nor to the plan alone.
 * `run` runs a task (on a pool); `urgent` tasks are the tail of a nest that
 * others wait on and go first.
 */
export type RunTask = (task: SearchTask, urgent: boolean) => Promise<JobOutcome>;

/** The dataflows whose searches give `auto` its starting points (is and nlr seldom win). */
export const SEED_DATAFLOWS: readonly Dataflow[] = ['ws', 'os', 'rs'];

/** Points the constructed chain builds before it anneals (of its share of the budget). */
const CONSTRUCTED = 500;

/** The constructed chain's share of the evaluations (a quarter of a plan step's). */
const CONSTRUCTED_SHARE = 1 / (4 * CHAINS);

/** With a seconds budget: the descents' parts of it, where every other task has one. */
const DESCENT_PARTS = 3;

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

/** The point of an outcome (its cost and mapping). */
function pick(x: JobOutcome): Pick<JobOutcome, 'mapping' | 'cost' | 'cycles' | 'energyPj'> {
  return { mapping: x.mapping, cost: x.cost, cycles: x.cycles, energyPj: x.energyPj };
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
  // Evaluations: each dataflow's search is the one `--dataflow d` runs (shared with `all`'s), each step of the plan
  // keeps its share of one search (a quarter). Seconds: each dataflow and each annealing chain one part, the descents
  // DESCENT_PARTS (they end the nest and take what the others left, so that the tasks together take the time given).
  const parts = flows.length + CHAINS + DESCENT_PARTS;
  const share = (w: number) => (timed ? 1 / parts : w);
  const seedBudget = timed ? scaled(job.budget, 1 / parts) : job.budget;
  const autoSeed = derivedSeed(job.seed, `${key}/auto`);
  const dataflowTask = (d: Dataflow, budget: Budget): SearchTask => ({ ...base, space: d, budget, seed: derivedSeed(job.seed, `${key}/${d}`) });
  const tasks: SearchTask[] = named.map((d) => dataflowTask(d, job.budget));
  const shared = flows.map((d) => (named.includes(d) && !timed ? named.indexOf(d) : tasks.push(dataflowTask(d, seedBudget)) - 1));
  const firstChain = tasks.length;
  if (!hybridAuto && (dataflow === 'auto' || dataflow === 'all')) tasks.push({ ...base, space: 'auto', seed: autoSeed });
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
  const quick = shared.map((i) => out[i]).filter(found);
  // The annealing steps of the plan, each from one dataflow's point where there is one (else from random points).
  const seedPoints = quick.filter((x) => x.mapping).map((x) => x.mapping!);
  const chainTasks = Array.from({ length: CHAINS - 1 }, (_, chain): SearchTask => ({ ...base, space: 'auto', chain, seed: autoSeed, budget: scaled(job.budget, share(1 / CHAINS)), ...(seedPoints.length > 0 ? { starts: [seedPoints[chain % seedPoints.length]!] } : {}) }));
  const constructTask: SearchTask = { ...base, space: 'auto', chain: 0, construct: CONSTRUCTED, seed: derivedSeed(job.seed, `${key}/construct`), budget: scaled(job.budget, share(CONSTRUCTED_SHARE)), ...(quick.length > 0 && bestOf(o, quick).mapping ? { starts: [bestOf(o, quick).mapping!] } : {}) };
  const chains = yield { tasks: [...chainTasks, constructTask], urgent: false };
  const unmappable = chains.find((x) => x instanceof AccelmapError);
  if (unmappable) throw unmappable;
  const constructed = chains.splice(chainTasks.length).filter(found);
  const annealed = chains.filter(found);
  const fromAnnealed = bestOf(o, annealed);
  const fromSeed = quick.length > 0 ? bestOf(o, quick) : fromAnnealed;
  // The plan's own descent starts from the annealed best; a second one from the dataflows' best where that is better.
  const top = bestOf(o, [fromAnnealed, fromSeed]);
  const starts = closeEnough(job, top) ? [] : [fromAnnealed, ...(top !== fromAnnealed ? [top] : [])].filter((x) => x.mapping);
  // Each descent takes the plan's share of evaluations (the first is the plan's own descent); with a seconds budget they
  // share what the other tasks left of it.
  const spent = [...quick, ...annealed, ...constructed].reduce((sum, x) => sum + x.seconds, 0);
  const descentBudget = timed ? { ...job.budget, seconds: Math.max(0, job.budget.seconds! - spent) / Math.max(1, starts.length) } : scaled(job.budget, 1 / CHAINS);
  const descents = (yield { tasks: starts.map((x) => ({ ...base, space: 'auto' as const, chain: CHAINS - 1, seed: autoSeed, starts: [x.mapping!], budget: descentBudget })), urgent: true }).filter(found);
  // Searches `all` reports under their own names are counted there.
  const own = shared.filter((i) => i >= named.length).map((i) => out[i]).filter(found);
  const auto = { ...merged(o, 'auto', [...own, ...annealed, ...constructed, ...descents]), ...pick(bestOf(o, [...quick, ...annealed, ...descents, ...constructed])) };
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
