import { cloneMapping, copyMapping, type MappingArrays } from '../mapping/mapping.js';
import type { Rng } from '../util/rng.js';
import { compare, type Objective } from './objective.js';
import type { MapSpace } from './space.js';
import { Incumbent, offerAllocations, offerIfFits, primary, randomStart, type Tracker } from './tracker.js';

/** The annealing strategy's chains (see search.ts), their hops between spatial structures and the constructed points they start from. */

/**
 * What a chain may spend: `evaluations` sizes its random seeding and, without
 * `elapsed`, its steps; `elapsed` (a seconds budget) is the fraction of its
 * time behind it. Either sets the annealing temperature; `deadline` stops it.
 */
export interface ChainSpan {
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
export function runChain(space: MapSpace, t: Tracker, rng: Rng, span: ChainSpan, start?: MappingArrays, constructed = 0): void {
  const o = t.options.objective;
  const model = t.model;
  const draws = start || constructed ? 0 : Math.max(8, Math.floor(span.evaluations * 0.15));
  const cur = start || constructed ? new Incumbent(t, space.base()) : randomStart(space, t, rng, draws, span.deadline);
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
      else hop(space, t, rng, best, cur, cand, span.deadline);
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
 * itself (`cand`: scratch). No evaluation past the chain's deadline.
 */
function hop(space: MapSpace, t: Tracker, rng: Rng, best: Incumbent, cur: Incumbent, cand: MappingArrays, deadline: () => boolean): void {
  cur.take(best.point, best.cycles, best.energy);
  const landing = new Incumbent(t, space.base());
  const probe = space.base();
  for (let tries = 0; tries < HOP_TRIES; tries++) {
    copyMapping(best.point, cand);
    if (!space.refillAxis(cand, rng)) return;
    offerIfFits(space, landing, cand);
    offerAllocations(space, landing, cand, probe, rng, ORDERINGS, deadline);
    if (landing.found) return cur.take(landing.point, landing.cycles, landing.energy);
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
