import type { Architecture } from '../arch/types.js';
import { cloneMapping, copyMapping, type MappingArrays } from '../mapping/mapping.js';
import { describe, invalidReason, type Cost } from '../mapping/cost.js';
import { CostModel, INVALID } from '../mapping/model.js';
import type { Problem } from '../problem/types.js';
import type { Rng } from '../util/rng.js';
import { gapTarget, lowerBound } from './bounds.js';
import type { Constraints } from './constraints.js';
import { compare, metricValue, type Objective } from './objective.js';
import type { SearchOptions } from './search.js';
import type { MapSpace } from './space.js';

/**
 * What every strategy's steps share: the search's counts, best point and
 * stopping rules (`Tracker`), a step's own best point (`Incumbent`), and a
 * start from random points (`randomStart`).
 */

/** Distinct rejection reasons: the invalid codes, and one more for too low a utilization. */
const INVALID_CODES = Math.max(...Object.values(INVALID)) + 1;
/** Levels or dims told apart per reason (more share the last slot). */
const REJECTION_SLOTS = 32;

/** A search's evaluations (with its own cost model), its counts and best point, and when it stops (`exhausted`, `stalled`). */
export class Tracker {
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

export function primary(o: Objective, cycles: number, energy: number): number {
  return metricValue(o.metrics[0]!, cycles, energy);
}

/** The best point of a search step: `offer` evaluates a candidate and keeps a copy when it is better. */
export class Incumbent {
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
export function offerIfFits(space: MapSpace, cur: Incumbent, m: MappingArrays): boolean {
  return space.fits(m) && cur.offer(m);
}

/**
 * Offers `cur` the points that fit of `n` bottom-up allocations of `m`'s prime
 * loops in random orders (`MapSpace.allocate`), until the deadline; whether
 * one was better (`probe`: scratch).
 */
export function offerAllocations(space: MapSpace, cur: Incumbent, m: MappingArrays, probe: MappingArrays, rng: Rng, n: number, deadline: () => boolean): boolean {
  const loops = space.primeLoops(m);
  let improved = false;
  for (let k = 0; k < n && !deadline(); k++) {
    copyMapping(m, probe);
    space.allocate(probe, rng.shuffle(loops));
    if (offerIfFits(space, cur, probe)) improved = true;
  }
  return improved;
}

/** The best of `draws` random points. */
export function randomStart(space: MapSpace, t: Tracker, rng: Rng, draws: number, deadline: () => boolean): Incumbent {
  const cur = new Incumbent(t, space.base());
  const cand = space.base();
  for (let i = 0; i < draws && !deadline(); i++) {
    space.randomize(cand, rng);
    cur.offer(cand);
  }
  return cur;
}
