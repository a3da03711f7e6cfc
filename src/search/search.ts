import type { Architecture } from '../arch/types.js';
import { cloneMapping, copyMapping, type MappingArrays } from '../mapping/mapping.js';
import { describe, invalidReason, type Cost } from '../mapping/cost.js';
import { CostModel, INVALID, type Convention } from '../mapping/model.js';
import { namedWidths } from '../mapping/widths.js';
import type { Problem } from '../problem/types.js';
import { AccelmapError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { gapTarget, lowerBound } from './bounds.js';
import type { Constraints } from './constraints.js';
import { compare, metricValue, type Objective } from './objective.js';
import { MapSpace } from './space.js';

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

/** Distinct rejection reasons: the invalid codes, and one more for too low a utilization. */
const INVALID_CODES = Math.max(...Object.values(INVALID)) + 1;
/** Levels or dims told apart per reason (more share the last slot). */
const REJECTION_SLOTS = 32;

/** Independent chains of the descent and anneal strategies (fixed: results do not depend on threads). */
export const CHAINS = 4;

class Tracker {
  readonly model: CostModel;
  best: MappingArrays | null = null;
  bestCycles = Infinity;
  bestEnergy = Infinity;
  evaluated = 0;
  valid = 0;
  /** Evaluations made when the best so far was found. */
  improvedAt = 0;
  /** Whether the best is within the budget's gap of the lower bound (the search is done). */
  closeEnough = false;
  /** The objective's first metric at or under which the best is close enough (-Infinity without a gap). */
  private readonly target: number;
  private readonly started = performance.now();
  private readonly minUnits: number;
  /** Rejections per reason (`rejectionKey`), and the first mapping rejected for each, to explain an empty result. */
  private readonly rejected: Float64Array;
  private readonly rejectedSample: (MappingArrays | undefined)[] = [];

  constructor(
    problem: Problem,
    arch: Architecture,
    constraints: Constraints,
    readonly options: SearchOptions,
  ) {
    this.model = new CostModel(problem, arch, { precision: options.precision, convention: options.convention });
    this.minUnits = constraints.minUtilization * arch.compute.instances;
    this.rejected = new Float64Array(this.rejectionKey(INVALID_CODES, 0) + 1);
    const gap = options.budget.gap;
    this.target = gap === undefined ? -Infinity : gapTarget(options.objective, lowerBound(problem, arch, options), gap);
  }

  /** Reasons are an invalid code and the level or dim it names; code `INVALID_CODES` is a too-low utilization. */
  private rejectionKey(code: number, where: number): number {
    return code * REJECTION_SLOTS + Math.min(Math.max(where, 0), REJECTION_SLOTS - 1);
  }

  private reject(m: MappingArrays, key: number): false {
    if (this.rejected[key]!++ === 0) this.rejectedSample[key] = cloneMapping(m);
    return false;
  }

  /** The best mapping's cost in full, from this search's own model (not counted as an evaluation). */
  describeBest(): Cost {
    this.model.evaluate(this.best!);
    return describe(this.model, this.best!);
  }

  /**
   * Why the search found nothing valid, in words: no mapping evaluated, or
   * the reason most evaluated mappings failed (the model's own words for the
   * first mapping that failed that way) and their share.
   */
  emptyReason(): string | undefined {
    if (this.valid > 0) return undefined;
    if (this.evaluated === 0) return 'the budget ran out before any mapping was evaluated';
    let key = 0;
    this.rejected.forEach((n, k) => n > this.rejected[key]! && (key = k));
    const share = `${((100 * this.rejected[key]!) / this.evaluated).toFixed(0)}% of the ${this.evaluated} mappings tried`;
    if (key === this.rejectionKey(INVALID_CODES, 0)) return `${share} use fewer than the ${this.minUnits} MAC units the dataflow requires`;
    this.model.evaluate(this.rejectedSample[key]!);
    return `${share} fail because ${invalidReason(this.model)}`;
  }

  exhausted(): boolean {
    if (this.closeEnough) return true;
    const b = this.options.budget;
    if (b.evaluations !== undefined && this.evaluated >= b.evaluations) return true;
    return b.seconds !== undefined && (this.evaluated & 255) === 0 && (performance.now() - this.started) / 1000 >= b.seconds;
  }

  /**
   * Whether `patience` evaluations have passed since the best last improved
   * and since `progress` (when the caller's own chain last made progress).
   * Checked where a search restarts (a descent's kick, the next spatial
   * start), so that a sweep in progress is never cut short.
   */
  stalled(progress = 0): boolean {
    const p = this.options.budget.patience;
    return p !== undefined && this.best !== null && this.evaluated - Math.max(this.improvedAt, progress) >= p;
  }

  /** Evaluates; records it if it is the best so far. Returns the model's validity. */
  evaluate(m: MappingArrays): boolean {
    this.evaluated++;
    const model = this.model;
    if (!model.evaluate(m)) return this.reject(m, this.rejectionKey(model.invalidCode, model.invalidWhere));
    if (model.usedUnits < this.minUnits) return this.reject(m, this.rejectionKey(INVALID_CODES, 0));
    this.valid++;
    if (compare(this.options.objective, model.cycles, model.totalEnergyPj, this.bestCycles, this.bestEnergy) < 0) {
      this.bestCycles = model.cycles;
      this.bestEnergy = model.totalEnergyPj;
      this.improvedAt = this.evaluated;
      this.closeEnough = primary(this.options.objective, model.cycles, model.totalEnergyPj) <= this.target;
      if (this.best) copyMapping(m, this.best);
      else this.best = cloneMapping(m);
    }
    if ((this.evaluated & 4095) === 0) this.options.onProgress?.({ evaluated: this.evaluated, valid: this.valid, bestCycles: this.bestCycles, bestEnergyPj: this.bestEnergy });
    return true;
  }

  seconds(): number {
    return (performance.now() - this.started) / 1000;
  }
}

function primary(o: Objective, cycles: number, energy: number): number {
  return metricValue(o.metrics[0]!, cycles, energy);
}

/** The best point of a search step: `offer` evaluates a candidate and keeps a copy when it is better. */
class Incumbent {
  cycles = Infinity;
  energy = Infinity;

  constructor(
    private readonly t: Tracker,
    readonly point: MappingArrays,
  ) {}

  get found(): boolean {
    return this.cycles !== Infinity;
  }

  offer(m: MappingArrays): boolean {
    return this.t.evaluate(m) && this.consider(m, this.t.model.cycles, this.t.model.totalEnergyPj);
  }

  /** Adopts a point unconditionally. */
  take(m: MappingArrays, cycles: number, energy: number): void {
    this.cycles = cycles;
    this.energy = energy;
    if (m !== this.point) copyMapping(m, this.point);
  }

  /** Keeps a copy of `m` (already evaluated: its cycles and energy) when it is better. */
  consider(m: MappingArrays, cycles: number, energy: number): boolean {
    if (compare(this.t.options.objective, cycles, energy, this.cycles, this.energy) >= 0) return false;
    this.take(m, cycles, energy);
    return true;
  }

  beats(cycles: number, energy: number): boolean {
    return compare(this.t.options.objective, this.cycles, this.energy, cycles, energy) < 0;
  }
}

/** Offers a point only when it fits the buffers (`MapSpace.fits`): one that does not is invalid, and costs no evaluation. */
function offerIfFits(space: MapSpace, cur: Incumbent, m: MappingArrays): boolean {
  return space.fits(m) && cur.offer(m);
}

function runRandom(space: MapSpace, t: Tracker, rng: Rng): void {
  const m = space.base();
  while (!t.exhausted() && !t.stalled()) {
    space.randomize(m, rng);
    t.evaluate(m);
  }
}

/** The best of `draws` random points. */
function seed(space: MapSpace, t: Tracker, rng: Rng, draws: number, deadline: () => boolean): Incumbent {
  const cur = new Incumbent(t, space.base());
  const cand = space.base();
  for (let i = 0; i < draws && !deadline(); i++) {
    space.randomize(cand, rng);
    cur.offer(cand);
  }
  return cur;
}

/**
 * What a chain may spend: `evaluations` sizes its random seeding and, without
 * `elapsed`, its steps; `elapsed` (a seconds budget) is the fraction of its
 * time behind it. Either sets the annealing temperature; `deadline` stops it.
 */
interface ChainSpan {
  evaluations: number;
  elapsed?: () => number;
  deadline(): boolean;
}

/**
 * One annealing chain: from the best of `start` and `constructed` points
 * (`construct`), or else the best of some random points,
 * local moves accepted when better, or worse with probability exp(−Δ/T)
 * where Δ is the relative change of the primary metric (log ratio) and T
 * falls geometrically over the chain's budget to 0.001, from 0.3 (or from
 * 0.1 after a start or construction, a good point that a hot chain would soon leave).
 * After RESTART_STEPS steps without beating its own best, the chain hops:
 * it goes on from its best with one fan-out axis filled anew
 * (`MapSpace.refillAxis`), so that the next steps search the tiling around
 * another spatial structure (basin hopping), or, half the time while any
 * are left, it goes on from the next of the constructed points with other
 * spatial factors than its best, best first (`Elites`): structures whose
 * tiling the allocation already made good, which a refill reaches only by
 * chance. With `patience`, it stops at a hop once its best has not improved
 * for that many evaluations.
 */
function runChain(space: MapSpace, t: Tracker, rng: Rng, span: ChainSpan, start?: MappingArrays, constructed = 0): void {
  const o = t.options.objective;
  const model = t.model;
  const draws = start || constructed ? 0 : Math.max(8, Math.floor(span.evaluations * 0.15));
  const cur = start || constructed ? new Incumbent(t, space.base()) : seed(space, t, rng, draws, span.deadline);
  if (start) cur.offer(start);
  const elites = new Elites(ELITES, o);
  if (constructed) construct(space, t, cur, rng, constructed, span.deadline, elites);
  if (!cur.found) return;
  const cand = space.base();
  let curScore = primary(o, cur.cycles, cur.energy);
  const steps = Math.max(1, span.evaluations - draws);
  const t0 = start || constructed ? 0.1 : 0.3, t1 = 0.001;
  const best = new Incumbent(t, space.base());
  best.take(cur.point, cur.cycles, cur.energy);
  let bestAt = 0;
  let progress = t.evaluated;
  for (let k = 0; !span.deadline(); k++) {
    const done = span.elapsed ? span.elapsed() : k / steps;
    if (done >= 1) break;
    if (k - bestAt >= RESTART_STEPS) {
      if (t.stalled(progress)) return;
      const elite = rng.next() < ELITE_HOPS ? elites.next(best.point) : undefined;
      if (elite) cur.take(elite.point, elite.cycles, elite.energy);
      else hop(space, t, rng, best, cur, cand);
      if (cur.beats(best.cycles, best.energy)) best.take(cur.point, cur.cycles, cur.energy);
      curScore = primary(o, cur.cycles, cur.energy);
      bestAt = k;
    }
    let fitTries = 0;
    do {
      copyMapping(cur.point, cand);
      if (!space.move(cand, rng)) return;
    } while (!space.fits(cand) && ++fitTries < FIT_TRIES);
    if (!t.evaluate(cand)) continue;
    const c = model.cycles, e = model.totalEnergyPj;
    const score = primary(o, c, e);
    const temp = t0 * Math.pow(t1 / t0, done);
    const delta = Math.log(score / curScore);
    if (compare(o, c, e, cur.cycles, cur.energy) < 0 || (delta >= 0 && rng.next() < Math.exp(-delta / temp))) {
      cur.take(cand, c, e);
      curScore = score;
      if (cur.beats(best.cycles, best.energy)) {
        best.take(cand, c, e);
        bestAt = k;
        progress = t.evaluated;
      }
    }
  }
}

/** Moves drawn per step until one fits the buffers (`MapSpace.fits`); the last is evaluated whether or not it does, so that a chain always spends its budget. */
const FIT_TRIES = 16;

/** Steps an annealing chain may go without beating its best before it hops. */
const RESTART_STEPS = 100;

/** Constructed points a chain keeps as hop targets, and the share of hops that go to the next of them while any are left. */
const ELITES = 8;
const ELITE_HOPS = 0.5;

/**
 * The best points seen with distinct spatial factors (at most `size`), best
 * by the objective's first metric first; `next` hands them out in that order,
 * skipping any with the spatial factors of a given point.
 */
export class Elites {
  private readonly list: { point: MappingArrays; cycles: number; energy: number; score: number }[] = [];
  private handed = 0;

  constructor(
    private readonly size: number,
    private readonly objective: Objective,
  ) {}

  add(m: MappingArrays, cycles: number, energy: number): void {
    const score = primary(this.objective, cycles, energy);
    const worst = this.list[this.list.length - 1];
    if (this.list.length === this.size && score >= worst!.score) return;
    const same = this.list.findIndex((e) => sameSpatial(e.point, m));
    if (same >= 0) {
      if (score >= this.list[same]!.score) return;
      this.list.splice(same, 1);
    }
    this.list.push({ point: cloneMapping(m), cycles, energy, score });
    this.list.sort((a, b) => a.score - b.score);
    if (this.list.length > this.size) this.list.pop();
  }

  next(unlike: MappingArrays): { point: MappingArrays; cycles: number; energy: number } | undefined {
    while (this.handed < this.list.length) {
      const e = this.list[this.handed++]!;
      if (!sameSpatial(e.point, unlike)) return e;
    }
    return undefined;
  }
}

/** Whether two points have the same spatial factors (the same spatial structure). */
function sameSpatial(a: MappingArrays, b: MappingArrays): boolean {
  for (let i = 0; i < a.spatialX.length; i++) if (a.spatialX[i] !== b.spatialX[i] || a.spatialY[i] !== b.spatialY[i]) return false;
  return true;
}

/** Refills tried at a hop until one gives a valid point. */
const HOP_TRIES = 10;

/**
 * Sets `cur` to the chain's best with one fan-out axis refilled: the best of
 * the refilled point as it is (its tiling re-spread by the refill) and of
 * ORDERINGS bottom-up allocations of its loops (`MapSpace.allocate`), so that
 * the new spatial structure starts from a tiling that fills the inner
 * buffers; the first refill of HOP_TRIES with a valid point, or else the best
 * itself (`cand`: scratch).
 */
function hop(space: MapSpace, t: Tracker, rng: Rng, best: Incumbent, cur: Incumbent, cand: MappingArrays): void {
  cur.take(best.point, best.cycles, best.energy);
  const landing = new Incumbent(t, space.base());
  const probe = space.base();
  for (let tries = 0; tries < HOP_TRIES; tries++) {
    copyMapping(best.point, cand);
    if (!space.refillAxis(cand, rng)) return;
    offerIfFits(space, landing, cand);
    const loops = space.primeLoops(cand);
    for (let k = 0; k < ORDERINGS; k++) {
      copyMapping(cand, probe);
      space.allocate(probe, rng.shuffle(loops));
      landing.offer(probe);
    }
    if (landing.found) return cur.take(landing.point, landing.cycles, landing.energy);
  }
}

/**
 * For every pair of dims sharing a fan-out axis and every split of the axis
 * between them: the best temporal placement of the first dim, then of the
 * second; offers the result to `cur`.
 */
function tradeAxes(space: MapSpace, t: Tracker, cur: Incumbent, cand: MappingArrays, probe: MappingArrays, pairs: ReturnType<MapSpace['axisPairs']>, deadline: () => boolean): boolean {
  let improved = false;
  for (const pair of pairs) {
    copyMapping(cur.point, cand);
    const ok = space.forEachAxisSplit(cand, pair, () => {
      for (const d of [pair.a, pair.b]) {
        const local = new Incumbent(t, cand);
        copyMapping(cand, probe);
        if (!space.forEachTemporalPlacement(probe, d, () => !deadline() && (offerIfFits(space, local, probe), true))) return false;
        if (!local.found) return true;
        if (d === pair.b && local.beats(cur.cycles, cur.energy)) {
          cur.take(cand, local.cycles, local.energy);
          improved = true;
        }
      }
      return true;
    });
    if (!ok) break;
  }
  return improved;
}

/** Joint temporal placements of two dims, tried for pairs with at most this many: in a descent over every factor … */
const PAIR_PLACEMENTS = 600;
/** … and in a temporal descent (spatial factors fixed), where the pair trade is the only way out of a local optimum. */
const PAIR_PLACEMENTS_TEMPORAL = 2500;

/**
 * For every pair of dims: every temporal placement of the first together with
 * every placement of the second (capacity often couples them); offers each to `cur`.
 */
function tradeTemporal(space: MapSpace, cur: Incumbent, cand: MappingArrays, deadline: () => boolean, limit = PAIR_PLACEMENTS): boolean {
  let improved = false;
  for (let a = 0; a < space.D; a++) {
    for (let b = a + 1; b < space.D; b++) {
      const na = space.temporalPlacements(cur.point, a), nb = space.temporalPlacements(cur.point, b);
      if (na < 2 || nb < 2 || na * nb > limit) continue;
      const r = offerEach(space, cur, cand, deadline, (visit) => space.forEachTemporalPlacement(cand, a, () => space.forEachTemporalPlacement(cand, b, visit)));
      if (r === 'stopped') return improved;
      improved ||= r;
    }
  }
  return improved;
}

/**
 * Copies `cur`'s point into `cand` and offers `cur` every fitting point
 * `each` visits in `cand`: whether one was better, or 'stopped' when the
 * deadline cut the visits short.
 */
function offerEach(space: MapSpace, cur: Incumbent, cand: MappingArrays, deadline: () => boolean, each: (visit: () => boolean) => boolean): boolean | 'stopped' {
  let improved = false;
  copyMapping(cur.point, cand);
  const ok = each(() => {
    if (deadline()) return false;
    if (offerIfFits(space, cur, cand)) improved = true;
    return true;
  });
  return ok ? improved : 'stopped';
}

/** Pairs (spatial choice of one dim, temporal placement of another) a spatial trade tries per pair of dims, at most. */
const SPATIAL_TRADES = 6000;

/** Bottom-up allocations (`MapSpace.allocate`) a spatial trade tries per spatial choice of a dim. */
const TRADE_ALLOCATIONS = 4;

/**
 * Trades one dim's spatial factors against temporal factors, offering each
 * point to `cur`: for every dim a with spatial factors and every other dim
 * b, every choice of a's spatial factors (a re-spread) together with every
 * temporal placement of b, where there are at most SPATIAL_TRADES such
 * pairs; when none is better, every choice of a's spatial factors with
 * every prime loop allocated bottom-up TRADE_ALLOCATIONS ways. Using fewer
 * units of a fan-out can leave an inner buffer room for a longer temporal
 * loop of another dim (simba's accumulation buffer: fewer output channels
 * across the PE's lanes, more output pixels per weight held), a trade no
 * single-dim placement reaches; where a third dim's loop must move too (so
 * that the outer buffer still holds its tiles), only the allocation does.
 */
function tradeSpatial(space: MapSpace, cur: Incumbent, cand: MappingArrays, rng: Rng, deadline: () => boolean): boolean {
  let improved = false;
  for (let a = 0; a < space.D; a++) {
    const na = space.spatialChoices(cur.point, a);
    if (na < 2) continue;
    for (let b = 0; b < space.D; b++) {
      const nb = b === a ? 1 : space.temporalPlacements(cur.point, b);
      if (nb < 2 || na * nb > SPATIAL_TRADES) continue;
      const r = offerEach(space, cur, cand, deadline, (visit) => space.forEachSpatialChoice(cand, a, () => space.forEachTemporalPlacement(cand, b, visit)));
      if (r === 'stopped') return improved;
      improved ||= r;
    }
  }
  if (improved) return true;
  const probe = space.base();
  for (let a = 0; a < space.D; a++) {
    if (space.spatialChoices(cur.point, a) < 2) continue;
    copyMapping(cur.point, cand);
    const ok = space.forEachSpatialChoice(cand, a, () => {
      const loops = space.primeLoops(cand);
      for (let k = 0; k < TRADE_ALLOCATIONS; k++) {
        if (deadline()) return false;
        copyMapping(cand, probe);
        space.allocate(probe, rng.shuffle(loops));
        if (offerIfFits(space, cur, probe)) improved = true;
      }
      return true;
    });
    if (!ok) break;
  }
  return improved;
}

/** Tries `cur` with each keep bit the constraints leave free flipped in turn (into `cand`), until `tryCand` says stop. */
function flipKeeps(space: MapSpace, cur: Incumbent, cand: MappingArrays, tryCand: () => boolean): void {
  for (let l = 0; l < space.L; l++) {
    for (let s = 0; s < space.DS; s++) {
      if (!space.freeKeep[l]![s]) continue;
      copyMapping(cur.point, cand);
      cand.keep[l * space.DS + s] = 1 - cand.keep[l * space.DS + s]!;
      if (!tryCand()) return;
    }
  }
}

/** One coordinate-descent chain (see the strategy list above), from the best of some random points or from `start`. */
function runDescent(space: MapSpace, t: Tracker, rng: Rng, evaluations: number, deadline: () => boolean, start?: MappingArrays): void {
  const model = t.model;
  const cur = start ? new Incumbent(t, space.base()) : seed(space, t, rng, Math.max(8, Math.floor(evaluations * 0.1)), deadline);
  if (start) cur.offer(start);
  if (!cur.found) return;
  const best = new Incumbent(t, space.base());
  best.take(cur.point, cur.cycles, cur.energy);
  let progress = t.evaluated;
  const cand = space.base(), probe = space.base();
  const tryCand = (): boolean => !deadline() && (offerIfFits(space, cur, cand), true);
  const dims = Array.from({ length: space.D }, (_, d) => d);
  const pairs = space.axisPairs();
  while (!deadline()) {
    const before = { c: cur.cycles, e: cur.energy };
    for (const d of rng.shuffle(dims)) {
      copyMapping(cur.point, cand);
      if (!space.forEachDimPlacement(cand, d, tryCand)) break;
    }
    for (let l = 0; l < space.L && !deadline(); l++) {
      if (space.constraints.levels[l]!.order) continue;
      copyMapping(cur.point, cand);
      if (!space.forEachOrder(cand, l, rng, 120, tryCand)) break;
    }
    flipKeeps(space, cur, cand, tryCand);
    if (cur.beats(best.cycles, best.energy)) {
      best.take(cur.point, cur.cycles, cur.energy);
      progress = t.evaluated;
    }
    if (cur.beats(before.c, before.e)) continue;
    // Stalled: trade a fan-out axis between two dims, or move two dims' temporal factors together.
    if ((pairs.length > 0 && tradeAxes(space, t, cur, cand, probe, pairs, deadline)) || tradeTemporal(space, cur, cand, deadline)) continue;
    // A local optimum: kick from the chain's best with a few random moves (a restart), unless neither the search nor
    // this chain has improved for `patience` evaluations.
    if (t.stalled(progress)) return;
    for (let tries = 0; tries < 20 && !deadline(); tries++) {
      copyMapping(best.point, cand);
      const kicks = 4 + rng.int(6);
      for (let k = 0; k < kicks; k++) space.move(cand, rng);
      if (t.evaluate(cand)) {
        cur.take(cand, model.cycles, model.totalEnergyPj);
        break;
      }
    }
  }
}

/**
 * Descent over temporal factors and keeps with the spatial factors of `start`
 * fixed: every placement of one dim, every keep choice, then every joint
 * placement of two dims; at a local optimum that is the search's best, one
 * dim's spatial factors traded against temporal factors (`tradeSpatial`);
 * stops at a local optimum.
 */
function descendTemporal(space: MapSpace, t: Tracker, start: MappingArrays, rng: Rng, deadline: () => boolean): void {
  const cur = new Incumbent(t, space.base());
  if (!cur.offer(start)) return;
  const cand = space.base();
  const tryCand = (): boolean => !deadline() && (offerIfFits(space, cur, cand), true);
  while (!deadline()) {
    const before = { c: cur.cycles, e: cur.energy };
    for (let d = 0; d < space.D; d++) {
      copyMapping(cur.point, cand);
      if (!space.forEachTemporalPlacement(cand, d, tryCand)) return;
    }
    flipKeeps(space, cur, cand, tryCand);
    if (cur.beats(before.c, before.e)) continue;
    if (tradeTemporal(space, cur, cand, deadline, PAIR_PLACEMENTS_TEMPORAL)) continue;
    // A spatial trade costs up to thousands of evaluations: only from the search's best.
    const searchBest = cur.cycles === t.bestCycles && cur.energy === t.bestEnergy;
    if (!searchBest || !tradeSpatial(space, cur, cand, rng, deadline)) return;
  }
}

/** Loop orderings allocated (`MapSpace.allocate`) per constructed spatial assignment, and per start. */
const ORDERINGS = 5;

/**
 * Constructed starting points, the best into `cur` and the best per spatial
 * structure into `elites`: `count` ÷ ORDERINGS random filling spatial
 * assignments (`MapSpace.fillingSpatial`), and the spatial factors of `cur`
 * itself (a start's), each with ORDERINGS random orderings of its prime
 * loops allocated bottom-up (`MapSpace.allocate`).
 */
function construct(space: MapSpace, t: Tracker, cur: Incumbent, rng: Rng, count: number, deadline: () => boolean, elites: Elites): void {
  const bases: MappingArrays[] = cur.found ? [cloneMapping(cur.point)] : [];
  for (let i = 0; i < count / ORDERINGS; i++) {
    const m = space.base();
    space.fillingSpatial(m, rng);
    bases.push(m);
  }
  const cand = space.base();
  for (const base of bases) {
    const loops = space.primeLoops(base);
    for (let k = 0; k < ORDERINGS && !deadline(); k++) {
      copyMapping(base, cand);
      space.allocate(cand, rng.shuffle(loops));
      if (!t.evaluate(cand)) continue;
      cur.consider(cand, t.model.cycles, t.model.totalEnergyPj);
      elites.add(cand, t.model.cycles, t.model.totalEnergyPj);
    }
  }
}

/** With a seconds budget, the evaluations that size a chain's random seeding. */
const TIMED_CHAIN_EVALUATIONS = 20000;

/** Spatial assignments a hybrid search descends from (the fewest-iteration ones first). */
const SPATIAL_STARTS = 64;

/** Temporal descents from the spatial assignments with the fewest iterations, in that order, until the deadline. */
function runSpatialStarts(space: MapSpace, t: Tracker, rng: Rng, deadline: () => boolean): void {
  const started = t.evaluated;
  for (const { point } of space.spatialAssignments(SPATIAL_STARTS)) {
    if (deadline() || t.stalled(started)) return;
    descendTemporal(space, t, point, rng, deadline);
  }
}

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
