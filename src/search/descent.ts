import { copyMapping, type MappingArrays } from '../mapping/mapping.js';
import type { Rng } from '../util/rng.js';
import type { MapSpace } from './space.js';
import { Incumbent, offerAllocations, offerIfFits, randomStart, type Tracker } from './tracker.js';

/** The descent strategy's chains and the hybrid strategy's temporal descents from spatial starts (see search.ts), with the trades they try when stalled. */

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
  const choices: number[] = [];
  for (let a = 0; a < space.D; a++) {
    const na = (choices[a] = space.spatialChoices(cur.point, a));
    if (na < 2) continue;
    for (let b = 0; b < space.D; b++) {
      if (b === a) continue;
      const nb = space.temporalPlacements(cur.point, b);
      if (nb < 2 || na * nb > SPATIAL_TRADES) continue;
      const r = offerEach(space, cur, cand, deadline, (visit) => space.forEachSpatialChoice(cand, a, () => space.forEachTemporalPlacement(cand, b, visit)));
      if (r === 'stopped') return improved;
      improved ||= r;
    }
  }
  if (improved) return true;
  // None was better: `cur` is as it was, and so are the counts of its spatial choices.
  const probe = space.base();
  for (let a = 0; a < space.D; a++) {
    if (choices[a]! < 2) continue;
    copyMapping(cur.point, cand);
    const ok = space.forEachSpatialChoice(cand, a, () => {
      if (offerAllocations(space, cur, cand, probe, rng, TRADE_ALLOCATIONS, deadline)) improved = true;
      return !deadline();
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
export function runDescent(space: MapSpace, t: Tracker, rng: Rng, evaluations: number, deadline: () => boolean, start?: MappingArrays): void {
  const model = t.model;
  const cur = start ? new Incumbent(t, space.base()) : randomStart(space, t, rng, Math.max(8, Math.floor(evaluations * 0.1)), deadline);
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

/** Spatial assignments a hybrid search descends from (the fewest-iteration ones first). */
const SPATIAL_STARTS = 64;

/** Temporal descents from the spatial assignments with the fewest iterations, in that order, until the deadline. */
export function runSpatialStarts(space: MapSpace, t: Tracker, rng: Rng, deadline: () => boolean): void {
  const started = t.evaluated;
  for (const { point } of space.spatialAssignments(SPATIAL_STARTS)) {
    if (deadline() || t.stalled(started)) return;
    descendTemporal(space, t, point, rng, deadline);
  }
}
