import { AccelmapError } from '../util/errors.js';
import { applicable, DATAFLOWS, type Dataflow } from './dataflows.js';
import { derivedSeed, type JobOutcome, type JobResult, type SearchJob, type SearchTask } from './job.js';
import { compare, type Objective } from './objective.js';
import { CHAINS, type Budget } from './search.js';

/**
 * One distinct loop nest's search as tasks, so that threads share work below
 * the level of whole nests. A named dataflow is one task; `all` runs every
 * applicable one and the whole space (`auto`) too, so that it never loses to
 * `auto`. With the hybrid strategy, `auto` is:
 *   - the search `--dataflow d` runs, for each of the usual dataflows that
 *     applies (SEED_DATAFLOWS: weight, output and row stationary): its
 *     starting points;
 *   - the annealing steps of the plan, each a task of its own;
 *   - then the plan's descent from the best annealed point and, where a
 *     dataflow's point is better still, a second descent from that.
 * Its result is the best of all of these, so that (for a budget in
 * evaluations) `auto` never loses to ws, os or rs, nor to the plan alone.
 * `run` runs a task (on a pool); `urgent` tasks are the tail of a nest that
 * others wait on and go first.
 */
export type RunTask = (task: SearchTask, urgent: boolean) => Promise<JobOutcome>;

/** The dataflows whose searches give `auto` its starting points (is and nlr seldom win). */
export const SEED_DATAFLOWS: readonly Dataflow[] = ['ws', 'os', 'rs'];

/** With a seconds budget: the descents' parts of it, where every other task has one. */
const DESCENT_PARTS = 3;

function better(o: Objective, a: JobOutcome, b: JobOutcome): boolean {
  return a.mapping !== null && (b.mapping === null || compare(o, a.cycles, a.energyPj, b.cycles, b.energyPj) < 0);
}

function bestOf(o: Objective, xs: JobOutcome[]): JobOutcome {
  return xs.reduce((best, x) => (better(o, x, best) ? x : best));
}

/** A budget cut to `share` of the given one (evaluations rounded down; patience kept). */
function scaled(b: Budget, share: number): Budget {
  return {
    ...(b.evaluations !== undefined ? { evaluations: Math.max(1, Math.floor(b.evaluations * share)) } : {}),
    ...(b.seconds !== undefined ? { seconds: b.seconds * share } : {}),
    ...(b.patience !== undefined ? { patience: b.patience } : {}),
  };
}

/** The point of an outcome (its cost and mapping). */
function pick(x: JobOutcome): Pick<JobOutcome, 'mapping' | 'cycles' | 'energyPj' | 'utilization'> {
  return { mapping: x.mapping, cycles: x.cycles, energyPj: x.energyPj, utilization: x.utilization };
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

type Named = (d: Dataflow, budget: Budget) => Promise<JobOutcome | null>;

async function seededAuto(job: SearchJob, key: string, base: Omit<SearchTask, 'space' | 'seed' | 'budget'>, run: RunTask, named: Named, seedsCounted: boolean): Promise<JobOutcome> {
  const o = { metrics: job.metrics };
  const flows = SEED_DATAFLOWS.filter((d) => applicable(d, job.problem));
  // Evaluations: each dataflow's search is the one `--dataflow d` runs, each step of the plan keeps its share of one
  // search (a quarter). Seconds: each dataflow and each annealing chain one part, the descents DESCENT_PARTS (they end
  // the nest and take what the others left, so that the tasks together take the time given).
  const timed = job.budget.seconds !== undefined;
  const parts = flows.length + CHAINS - 1 + DESCENT_PARTS;
  const share = (w: number) => (timed ? 1 / parts : w);
  const seed = derivedSeed(job.seed, `${key}/auto`);
  const seeds = flows.map((d) => named(d, timed ? scaled(job.budget, 1 / parts) : job.budget));
  const chains = Array.from({ length: CHAINS - 1 }, (_, chain) => run({ ...base, space: 'auto', chain, seed, budget: scaled(job.budget, share(1 / CHAINS)) }, false));
  const annealed = await Promise.all(chains);
  const quick = (await Promise.all(seeds)).filter((x) => x !== null);
  const fromAnnealed = bestOf(o, annealed);
  const fromSeed = quick.length > 0 ? bestOf(o, quick) : fromAnnealed;
  const starts = [fromAnnealed, ...(better(o, fromSeed, fromAnnealed) ? [fromSeed] : [])].filter((s) => s.mapping);
  // Each descent takes the plan's share of evaluations (the first is the plan's own descent); with a seconds budget they
  // share what the other tasks left of it.
  const spent = [...quick, ...annealed].reduce((sum, x) => sum + x.seconds, 0);
  const descentBudget = timed ? { ...job.budget, seconds: Math.max(0, job.budget.seconds! - spent) / Math.max(1, starts.length) } : scaled(job.budget, 1 / CHAINS);
  const descents = await Promise.all(starts.map((s) => run({ ...base, space: 'auto', chain: CHAINS - 1, seed, starts: [s.mapping!], budget: descentBudget }, true)));
  const best = bestOf(o, [...quick, ...annealed, ...descents]);
  return { ...merged(o, 'auto', [...(seedsCounted ? quick : []), ...annealed, ...descents]), ...pick(best) };
}

export async function searchNest(job: SearchJob, key: string, run: RunTask): Promise<JobResult> {
  const { dataflow, ...rest } = job;
  const base = { ...rest };
  // Each named dataflow's search, run once whoever asks for it (`all` and `auto`'s starting points share them).
  const searched = new Map<string, Promise<JobOutcome | null>>();
  const named: Named = (d, budget) => {
    const id = `${d} ${JSON.stringify(budget)}`;
    if (!searched.has(id)) searched.set(id, run({ ...base, space: d, budget, seed: derivedSeed(job.seed, `${key}/${d}`) }, false));
    return searched.get(id)!;
  };
  const flows: Dataflow[] = dataflow === 'auto' ? [] : dataflow === 'all' ? DATAFLOWS.filter((d) => applicable(d, job.problem)) : [dataflow];
  const searches = flows.map((d) => named(d, job.budget) as Promise<JobOutcome>);
  if (dataflow === 'auto' || dataflow === 'all') {
    // As starting points, a dataflow that the user's constraints leave no room for gives none.
    const seedOf: Named = (d, budget) =>
      named(d, budget).catch((e: unknown) => {
        if (e instanceof AccelmapError && e.code === 'infeasible') return null;
        throw e;
      });
    const seedsCounted = dataflow === 'auto' || job.budget.seconds !== undefined;
    searches.push(job.strategy === 'hybrid' ? seededAuto(job, key, base, run, seedOf, seedsCounted) : run({ ...base, space: 'auto', seed: derivedSeed(job.seed, `${key}/auto`) }, false));
  }
  const byDataflow = await Promise.all(searches);
  return { best: bestOf({ metrics: job.metrics }, byDataflow), byDataflow };
}
