import type { Architecture } from '../arch/types.js';
import { cloneMapping, type MappingArrays } from '../mapping/mapping.js';
import type { Cost } from '../mapping/cost.js';
import type { Convention } from '../mapping/model.js';
import { namedWidths } from '../mapping/widths.js';
import type { Problem } from '../problem/types.js';
import { AccelmapError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { runChain } from './anneal.js';
import type { Constraints } from './constraints.js';
import { runDescent, runSpatialStarts } from './descent.js';
import type { Objective } from './objective.js';
import { MapSpace } from './space.js';
import { Tracker } from './tracker.js';

/**
 * Searching one problem's mapspace. Strategies:
 *   exhaustive — every point (MapSpace.enumerate), stopping at the budget;
 *   random     — uniform random points;
 *   hybrid     — the default. Where every loop order is fixed (a dataflow's
 *                space): half the budget on temporal descents from the
 *                spatial assignments with the fewest iterations (spatial
 *                factors fixed; every placement of one dim, then every joint
 *                placement of two), the other half on two descent chains.
 *                Otherwise (loop orders searched too) annealing chains,
 *                each from the best start (see `starts`) and constructed
 *                points (see `construct`) where given. `chain` runs one
 *                step of a plan on its own, so that the steps can be
 *                separate jobs (nest.ts);
 *   descent    — a fixed number of chains, each seeded from the
 *                best start given or else the best of a few random points,
 *                then coordinate descent: for
 *                each dim in turn, every placement of its factors (spatial
 *                and temporal) with the others fixed, keeping the best; every
 *                split of a fan-out axis between two dims; every order of each
 *                level whose order is searched and every
 *                keep choice; when a sweep finds nothing better, every joint
 *                temporal placement of two dims, then a random kick from the
 *                chain's best; deterministic for a seed;
 *   anneal     — the same chains improved by simulated annealing over local
 *                moves instead, hopping between spatial structures when
 *                stuck (`runChain`).
 * Local moves and descents evaluate only points that fit the buffers
 * (`MapSpace.fits`, the capacity rule of the cost model, at a fraction of its
 * cost): a move whose point does not is drawn again, a placement skipped.
 * A budget is a number of evaluations (deterministic) or of seconds (the
 * plan's steps end at their share of the time; annealing cools over time, and
 * descents run until it is out); with `patience`, a descent stops at its
 * next restart (kick) once neither the search's best nor the chain's own has
 * improved for that many evaluations, an annealing chain at its next hop once
 * its own best has not, and the list of spatial starts once the
 * search's best has not since the list began. Every strategy returns the best
 * valid mapping found.
 */
export type Strategy = 'hybrid' | 'descent' | 'anneal' | 'random' | 'exhaustive';
export const STRATEGIES: readonly Strategy[] = ['hybrid', 'descent', 'anneal', 'random', 'exhaustive'];

/**
 * When a search stops: after `evaluations` (a cap, deterministic) or
 * `seconds` (spent in full: the strategies run until the time is out), or,
 * with `patience`, once that many evaluations have passed without the best
 * improving (only after a valid point is found), or, with `gap`, as soon as
 * the best is within that fraction of the problem's lower bound
 * (`bounds.ts`, on the objective's first metric: then no mapping is better
 * by more than `gap`), whichever comes first.
 */
export interface Budget {
  evaluations?: number;
  seconds?: number;
  patience?: number;
  gap?: number;
}

export interface SearchOptions {
  strategy: Strategy;
  objective: Objective;
  budget: Budget;
  seed: number;
  precision?: string;
  /** Points found by other searches (the seeds' best), offered first: a hybrid's annealing chains and descent chains start from the best of them. */
  starts?: MappingArrays[];
  /** Run only this step of the strategy's plan, on the whole budget (the plan's steps as separate jobs). */
  chain?: number;
  /** An annealing step starts from the best of `starts` and of this many constructed points (`construct`). */
  construct?: number;
  /** The cost model's counting convention (ModelOptions.convention). */
  convention?: Convention;
  /** Called every few thousand evaluations. */
  onProgress?: (p: SearchProgress) => void;
}

export interface SearchProgress {
  evaluated: number;
  valid: number;
  bestCycles: number;
  bestEnergyPj: number;
}

export interface SearchResult {
  constraints: string;
  /** Best mapping (null when no valid mapping was found). */
  mapping: MappingArrays | null;
  /** The best mapping's cost in full (null with the mapping). */
  cost: Cost | null;
  /** The best mapping's cycles and energy (Infinity when there is none, which the objective never prefers). */
  cycles: number;
  energyPj: number;
  evaluated: number;
  valid: number;
  /** Whether an exhaustive search visited every point. */
  complete: boolean;
  /** When no mapping was valid: why most were not (`Tracker.emptyReason`). */
  emptyReason?: string;
  seconds: number;
  log10Size: number;
}

/** Independent chains of the descent and anneal strategies (fixed: results do not depend on threads). */
export const CHAINS = 4;

function runRandom(space: MapSpace, t: Tracker, rng: Rng): void {
  const m = space.base();
  while (!t.exhausted() && !t.stalled()) {
    space.randomize(m, rng);
    t.evaluate(m);
  }
}

/** With a seconds budget, the evaluations that size a chain's random seeding. */
const TIMED_CHAIN_EVALUATIONS = 20000;

export function searchProblem(problem: Problem, arch: Architecture, constraints: Constraints, options: SearchOptions): SearchResult {
  const space = new MapSpace(problem, arch, constraints, namedWidths(problem, arch, options.precision));
  const t = new Tracker(problem, arch, constraints, options);
  const rng = new Rng(options.seed);
  let complete = false;
  switch (options.strategy) {
    case 'exhaustive':
      complete = space.enumerate((m) => {
        t.evaluate(m);
        return !t.exhausted();
      });
      break;
    case 'random':
      if (options.budget.evaluations === undefined && options.budget.seconds === undefined) throw new AccelmapError('bad-flag', 'random search needs a budget (--budget N or Ns)');
      runRandom(space, t, rng);
      break;
    case 'hybrid':
    case 'descent':
    case 'anneal': {
      const ordersFixed = constraints.levels.every((l) => l.order !== null);
      for (const m of options.starts ?? []) t.evaluate(m);
      // Each step of the plan takes `shares` of CHAINS equal shares of the budget.
      const plan: { kind: 'descent' | 'anneal' | 'spatial'; shares: number }[] =
        options.strategy !== 'hybrid'
          ? new Array(CHAINS).fill({ kind: options.strategy, shares: 1 })
          : ordersFixed
            ? [{ kind: 'spatial', shares: 2 }, { kind: 'descent', shares: 1 }, { kind: 'descent', shares: 1 }]
            : new Array(CHAINS).fill({ kind: 'anneal', shares: 1 });
      const total = options.budget.evaluations ?? Infinity;
      const seconds = options.budget.seconds;
      let sharesBefore = 0;
      plan.forEach(({ kind, shares: planShares }, chain) => {
        if (options.chain !== undefined && chain !== options.chain) return;
        // A single step runs on the whole budget.
        const shares = options.chain !== undefined ? CHAINS : planShares;
        const chainRng = new Rng((options.seed ^ Math.imul(chain + 1, 0x9e3779b1)) >>> 0);
        const share = Number.isFinite(total) ? Math.floor((total * shares) / CHAINS) : Infinity;
        const start = t.evaluated, startSeconds = t.seconds();
        // With a seconds budget a chain ends at its cumulative share of the time, so that what one chain leaves goes to the next.
        sharesBefore += shares;
        const chainDeadline = seconds !== undefined ? (seconds * sharesBefore) / CHAINS : Infinity;
        const deadline = () => t.closeEnough || t.evaluated - start >= share || t.seconds() >= chainDeadline;
        const evaluations = Number.isFinite(share) ? share : TIMED_CHAIN_EVALUATIONS;
        const elapsed = seconds !== undefined ? () => (t.seconds() - startSeconds) / Math.max(1e-9, chainDeadline - startSeconds) : undefined;
        // A hybrid's annealing chains and descent chains start from the best start, where there is one.
        const from = (options.strategy === 'hybrid' || options.strategy === 'descent') && !ordersFixed && options.starts?.length ? (t.best ?? undefined) : undefined;
        if (kind === 'spatial') runSpatialStarts(space, t, chainRng, deadline);
        else if (kind === 'descent') runDescent(space, t, chainRng, evaluations, deadline, from && cloneMapping(from));
        else runChain(space, t, chainRng, { evaluations, elapsed, deadline }, from && cloneMapping(from), options.construct);
      });
      break;
    }
  }
  const result: SearchResult = {
    constraints: constraints.name,
    mapping: t.best,
    cost: t.best && t.describeBest(),
    cycles: t.bestCycles,
    energyPj: t.bestEnergy,
    evaluated: t.evaluated,
    valid: t.valid,
    complete,
    seconds: t.seconds(),
    log10Size: space.log10Size(),
    ...(t.valid === 0 ? { emptyReason: t.emptyReason() } : {}),
  };
  t.model.release();
  return result;
}
