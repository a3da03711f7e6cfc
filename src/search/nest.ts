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
 *   - a quick search of every applicable named dataflow (SEED_SHARE of the
 *     budget each): its starting points;
 *   - the annealing steps of the plan, each a task of its own;
 *   - then the plan's descent from the best annealed point and, where a
 *     dataflow's quick point is better still, a second descent from that.
 * Its result is the best of all of these, so `auto` is never worse than the
 * best quick dataflow solution or than the annealing plan alone.
 * `run` runs a task (on a pool); `urgent` tasks are the tail of a nest that
 * others wait on and go first.
 */
export type RunTask = (task: SearchTask, urgent: boolean) => Promise<JobOutcome>;

/** A dataflow's quick search for `auto`'s starting points: this fraction of the budget. */
export const SEED_SHARE = 1 / 20;

/** Steps of the hybrid plan in the whole space: CHAINS − 1 annealing chains, then the descent (see search.ts). */
const ANNEAL_STEPS = CHAINS - 1;

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

async function seededAuto(job: SearchJob, key: string, base: Omit<SearchTask, 'space' | 'seed' | 'budget'>, run: RunTask): Promise<JobOutcome> {
  const o = { metrics: job.metrics };
  const flows = DATAFLOWS.filter((d) => applicable(d, job.problem));
  // Shares of the budget. Evaluations: each step of the plan keeps the share it has in one search (a quarter); with a
  // seconds budget the shares are scaled so that the nest's tasks together take the time given.
  const descentShare = 1 / CHAINS;
  const total = flows.length * SEED_SHARE + ANNEAL_STEPS / CHAINS + descentShare;
  const share = (w: number) => (job.budget.seconds !== undefined ? w / total : w);
  const seed = derivedSeed(job.seed, `${key}/auto`);
  // A dataflow the problem or the user's constraints leave no room for gives no starting point.
  const seeds = flows.map((d) =>
    run({ ...base, space: d, seed: derivedSeed(job.seed, `${key}/${d}`), budget: scaled(job.budget, share(SEED_SHARE)) }, false).catch((e: unknown) => {
      if (e instanceof AccelmapError && e.code === 'infeasible') return null;
      throw e;
    }),
  );
  const chains = Array.from({ length: ANNEAL_STEPS }, (_, chain) => run({ ...base, space: 'auto', chain, seed, budget: scaled(job.budget, share(1 / CHAINS)) }, false));
  const annealed = await Promise.all(chains);
  const quick = (await Promise.all(seeds)).filter((x) => x !== null);
  const fromAnnealed = bestOf(o, annealed);
  const fromSeed = quick.length > 0 ? bestOf(o, quick) : fromAnnealed;
  const starts = [fromAnnealed, ...(better(o, fromSeed, fromAnnealed) ? [fromSeed] : [])].filter((s) => s.mapping);
  // Each descent takes the plan's share of evaluations (the first is the plan's own descent); with a seconds budget they
  // share what the other tasks left of it.
  const spent = [...quick, ...annealed].reduce((sum, x) => sum + x.seconds, 0);
  const descentBudget =
    job.budget.seconds !== undefined ? { ...job.budget, seconds: Math.max(0, job.budget.seconds - spent) / Math.max(1, starts.length) } : scaled(job.budget, descentShare);
  const descents = await Promise.all(starts.map((s) => run({ ...base, space: 'auto', chain: CHAINS - 1, seed, starts: [s.mapping!], budget: descentBudget }, true)));
  return merged(o, 'auto', [...quick, ...annealed, ...descents]);
}

export async function searchNest(job: SearchJob, key: string, run: RunTask): Promise<JobResult> {
  const { dataflow, ...rest } = job;
  const base = { ...rest };
  const named: Dataflow[] = dataflow === 'auto' ? [] : dataflow === 'all' ? DATAFLOWS.filter((d) => applicable(d, job.problem)) : [dataflow];
  const searches = named.map((d) => run({ ...base, space: d, seed: derivedSeed(job.seed, `${key}/${d}`) }, false));
  if (dataflow === 'auto' || dataflow === 'all') {
    searches.push(job.strategy === 'hybrid' ? seededAuto(job, key, base, run) : run({ ...base, space: 'auto', seed: derivedSeed(job.seed, `${key}/auto`) }, false));
  }
  const byDataflow = await Promise.all(searches);
  return { best: bestOf({ metrics: job.metrics }, byDataflow), byDataflow };
}
