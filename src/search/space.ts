import type { Architecture } from '../arch/types.js';
import { cloneMapping, copyMapping, mappingFor, type MappingArrays } from '../mapping/mapping.js';
import { checkLoopBounds } from '../mapping/model.js';
import { tileWords } from '../mapping/tile.js';
import { namedWidths, type TensorWidths } from '../mapping/widths.js';
import type { Problem } from '../problem/types.js';
import { AccelmapError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { spatialAllowed, type Constraints } from './constraints.js';

/**
 * The mapspace of one problem on one architecture under constraints: for
 * every dim, spatial factors on the fan-outs it may use (any integer up to
 * the mesh: the last pass may leave PEs idle, the dim is padded) and a
 * factorization of what remains (ceil(bound ÷ spatial)) over the levels that
 * may iterate over it; a loop order per level; keep/bypass per level and data
 * space. Points are MappingArrays; this class draws random points, makes
 * local moves, estimates the size and enumerates every point.
 */
export interface SpatialSlot {
  level: number;
  axis: 0 | 1; // X, Y
  cap: number;
  /** In a coarse space: the factors this slot may take (before the room other dims leave). */
  coarse: number[] | null;
}

interface DimSpace {
  bound: number;
  /** Levels whose temporal factor of this dim is searched. */
  temporal: number[];
  spatial: SpatialSlot[];
}

const primeCache = new Map<number, number[]>();

export function primeFactors(n: number): number[] {
  let cached = primeCache.get(n);
  if (cached) return cached;
  cached = [];
  let x = n;
  for (let p = 2; p * p <= x; p++) while (x % p === 0) (cached.push(p), (x /= p));
  if (x > 1) cached.push(x);
  primeCache.set(n, cached);
  return cached;
}

export function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d * d <= n; d++) {
    if (n % d === 0) {
      out.push(d);
      if (d * d !== n) out.push(n / d);
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * Spatial factors worth trying for a dim of (remaining) bound b on an axis
 * with room `cap`: the smallest factor for each distinct number of passes (a
 * larger factor with as many passes only idles more PEs). Any assignment is
 * dominated by one built from these slot by slot in a fixed order, so the
 * exhaustive walk loses nothing.
 */
export function spatialCandidates(b: number, cap: number): readonly number[] {
  if (cap >= 65536) return candidatesOf(b, cap);
  const key = b * 65536 + cap;
  let out = candidateCache.get(key);
  if (!out) candidateCache.set(key, (out = candidatesOf(b, cap)));
  return out;
}

function candidatesOf(b: number, cap: number): number[] {
  const out: number[] = [];
  let last = -1;
  for (let f = 1; f <= Math.min(b, cap); f++) {
    const passes = Math.ceil(b / f);
    if (passes !== last) out.push(Math.ceil(b / passes));
    last = passes;
  }
  return [...new Set(out)];
}

/** spatialCandidates by bound × 65536 + room (rooms from 65536 up are not kept). */
const candidateCache = new Map<number, number[]>();

/**
 * The factors a coarse (dataflow) space allows a dim of bound b on an axis of
 * `cap`: the divisors of b and the factor that fills the axis. They depend on
 * neither the other slots nor the other dims, so the space does not depend on
 * the order in which a search assigns them.
 */
export function coarseCandidates(b: number, cap: number): number[] {
  const out = divisors(b).filter((f) => f <= cap);
  const fill = Math.ceil(b / Math.ceil(b / Math.min(b, cap)));
  if (!out.includes(fill)) out.push(fill);
  return out.sort((x, y) => x - y);
}

function choose(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Ordered factorizations of n into k slots. */
function orderedFactorizations(n: number, k: number): number {
  const counts = new Map<number, number>();
  for (const p of primeFactors(n)) counts.set(p, (counts.get(p) ?? 0) + 1);
  let r = 1;
  for (const e of counts.values()) r *= choose(e + k - 1, k - 1);
  return r;
}

export class MapSpace {
  readonly problem: Problem;
  readonly arch: Architecture;
  readonly constraints: Constraints;
  readonly L: number;
  readonly D: number;
  readonly DS: number;
  readonly dims: DimSpace[];
  /** Per level: the fan-out mesh below it (X, Y). */
  private readonly meshX: number[];
  private readonly meshY: number[];
  /** Per level and data space: may the search change keep? */
  readonly freeKeep: boolean[][];
  /** Tensor ranks per data space as (dim, coef) terms, for capacity checks while enumerating. */
  private readonly ranks: { dim: number; coef: number }[][][];

  /** [l*DS+s]: data space s's word width at level l in level words (mapping/widths.ts), for capacity checks. */
  private readonly width: number[];
  /** Per level: the words its tiles may take (capacity ÷ multiple buffering). */
  private readonly capacity: number[];
  /** What `base` returns a copy of (built on first use). */
  private template: MappingArrays | undefined;
  /** [l*D+d]: whether the constraints fix dim d's temporal factor at level l. */
  private readonly temporalFixed: Uint8Array;
  /** Scratch tiles for `fits`: [l*D+d], dim d's tile at level l (row L: 1). */
  private readonly tiles: Float64Array;
  /** Scratch for `mutate`: the order positions of one level whose loops iterate. */
  private readonly iterating: Int32Array;
  /** [d*L+l]: dim d's innermost temporal level at or outside level l (its outermost when none is): where `allocate` tries a loop. */
  private readonly temporalWithin: Int32Array;
  /** For each (dim, fan-out slot) pair whose spatial factor is searched: every pair on the same fan-out axis (`refillAxis`). */
  private readonly axisOf: { d: number; slot: SpatialSlot }[][];

  constructor(problem: Problem, arch: Architecture, constraints: Constraints, widths: TensorWidths = namedWidths(problem, arch, undefined)) {
    checkLoopBounds(problem);
    this.width = widths.width;
    this.problem = problem;
    this.arch = arch;
    this.constraints = constraints;
    const L = (this.L = arch.levels.length);
    this.D = problem.dims.length;
    this.DS = problem.dataSpaces.length;
    const fan = (l: number) => (l + 1 < L ? arch.levels[l + 1]!.fanOut : arch.compute.fanOut);
    this.meshX = Array.from({ length: L }, (_, l) => fan(l).meshX);
    this.meshY = Array.from({ length: L }, (_, l) => fan(l).meshY);
    this.dims = problem.dims.map((name, d) => {
      const temporal: number[] = [];
      const spatial: SpatialSlot[] = [];
      for (let l = 0; l < L; l++) {
        const c = constraints.levels[l]!;
        if (!c.temporalFixed.has(d) && (c.temporalDims === null || c.temporalDims.has(d))) temporal.push(l);
        if (c.spatialFixed.has(d)) continue;
        const coarse = (cap: number) => (constraints.coarseSpatial ? coarseCandidates(problem.bounds[d]!, cap) : null);
        if (this.meshX[l]! > 1 && spatialAllowed(c, 'X', d)) spatial.push({ level: l, axis: 0, cap: this.meshX[l]!, coarse: coarse(this.meshX[l]!) });
        if (this.meshY[l]! > 1 && spatialAllowed(c, 'Y', d)) spatial.push({ level: l, axis: 1, cap: this.meshY[l]!, coarse: coarse(this.meshY[l]!) });
      }
      const bound = problem.bounds[d]!;
      if (temporal.length === 0 && bound > 1 && spatial.length === 0) {
        throw new AccelmapError('infeasible', `no level may iterate over ${name} (bound ${bound}) under the ${constraints.name} constraints`, {}, 'relax the constraints on that dimension');
      }
      return { bound, temporal, spatial };
    });
    this.freeKeep = arch.levels.map((level, l) =>
      problem.dataSpaces.map((s, si) => l > 0 && constraints.levels[l]!.keep[si] === undefined && (level.dataSpaces === null || level.dataSpaces.includes(s.name))),
    );
    this.ranks = problem.dataSpaces.map((s) => s.projection.map((terms) => terms.map((t) => ({ dim: t.dim, coef: t.coef }))));
    this.capacity = arch.levels.map((x) => x.capacityWords / x.multipleBuffering);
    this.tiles = new Float64Array((L + 1) * this.D);
    this.temporalFixed = new Uint8Array(L * this.D);
    constraints.levels.forEach((c, l) => c.temporalFixed.forEach((_, d) => (this.temporalFixed[l * this.D + d] = 1)));
    this.iterating = new Int32Array(this.D);
    const pairs = this.spatialSlots();
    this.axisOf = pairs.map(({ slot }) => pairs.filter((x) => x.slot.level === slot.level && x.slot.axis === slot.axis));
    this.temporalWithin = new Int32Array(this.D * L);
    this.dims.forEach(({ temporal }, d) => {
      for (let l = 0; l < L; l++) this.temporalWithin[d * L + l] = temporal.findLast((x) => x <= l) ?? temporal[0] ?? l;
    });
  }

  /** Whether the tiles level l keeps (`tile[l*D+d]`: dim d's tile there) fit in its capacity. */
  private levelFits(m: MappingArrays, tile: Float64Array, l: number): boolean {
    const { D, DS } = this;
    if (this.capacity[l] === Infinity) return true; // an unbounded level (the backing store) holds any tile
    let kept = 0;
    for (let s = 0; s < DS; s++) {
      if (!m.keep[l * DS + s]) continue;
      kept += tileWords(this.ranks[s]!, tile, l * D) * this.width[l * DS + s]!;
    }
    return kept <= this.capacity[l]!;
  }

  /**
   * Whether every level's kept tiles fit in it (the rule the cost model
   * applies, and `enumerate`'s pruning): a point that does not is invalid and
   * need not be evaluated.
   */
  fits(m: MappingArrays): boolean {
    this.fillTiles(m);
    for (let l = 0; l < this.L; l++) if (!this.levelFits(m, this.tiles, l)) return false;
    return true;
  }

  /** Every level's tiles of `m` into the scratch `tiles`. */
  private fillTiles(m: MappingArrays): void {
    const { D, L } = this;
    const tile = this.tiles;
    for (let d = 0; d < D; d++) tile[L * D + d] = 1;
    for (let l = L - 1; l >= 0; l--) for (let d = 0; d < D; d++) tile[l * D + d] = tile[(l + 1) * D + d]! * m.temporal[l * D + d]! * m.spatialX[l * D + d]! * m.spatialY[l * D + d]!;
  }

  /** A mapping with the constraints' fixed parts applied (orders, fixed factors, keeps) and everything else 1. */
  base(): MappingArrays {
    this.template ??= this.buildBase();
    return cloneMapping(this.template);
  }

  private buildBase(): MappingArrays {
    const m = mappingFor(this.problem, this.arch);
    const { D, DS } = this;
    this.constraints.levels.forEach((c, l) => {
      if (c.order) c.order.forEach((d, k) => (m.order[l * D + k] = d));
      for (const [d, f] of c.temporalFixed) m.temporal[l * D + d] = f;
      for (const [d, s] of c.spatialFixed) (s.axis === 'X' ? m.spatialX : m.spatialY)[l * D + d] = s.factor;
      for (let s = 0; s < DS; s++) {
        const allowed = this.arch.levels[l]!.dataSpaces;
        const ok = allowed === null || allowed.includes(this.problem.dataSpaces[s]!.name);
        m.keep[l * DS + s] = l === 0 ? 1 : (c.keep[s] ?? (ok ? 1 : 0));
      }
    });
    return m;
  }

  /** What remains of dim d's bound once its fixed and searched spatial factors are applied (rounded up). */
  private remaining(m: MappingArrays, d: number): number {
    let spatial = 1, fixed = 1;
    for (let l = 0; l < this.L; l++) {
      const i = l * this.D + d;
      spatial *= m.spatialX[i]! * m.spatialY[i]!;
      if (this.temporalFixed[i]) fixed *= m.temporal[i]!;
    }
    return Math.ceil(this.dims[d]!.bound / (spatial * fixed));
  }

  /** The factors dim d may take on a slot, given what the other dims leave of its axis. */
  private candidates(m: MappingArrays, d: number, slot: SpatialSlot): readonly number[] {
    const room = this.slotRoom(m, slot, d);
    if (slot.coarse) return slot.coarse.filter((f) => f <= room);
    return spatialCandidates(this.remaining(m, d), room);
  }

  /** A dim goes on one axis of a fan-out (as in Timeloop's directives): its factor on the other axis. */
  private otherAxis(m: MappingArrays, slot: SpatialSlot, d: number): number {
    return (slot.axis === 0 ? m.spatialY : m.spatialX)[slot.level * this.D + d]!;
  }

  private slotRoom(m: MappingArrays, slot: SpatialSlot, exceptDim: number): number {
    const arr = slot.axis === 0 ? m.spatialX : m.spatialY;
    let used = 1;
    for (let d = 0; d < this.D; d++) if (d !== exceptDim) used *= arr[slot.level * this.D + d]!;
    return Math.floor(slot.cap / used);
  }

  /** Spreads `q` over dim d's temporal levels: each prime to a random level (or all to the outermost). */
  private spread(m: MappingArrays, d: number, q: number, rng: Rng | null): void {
    const { D } = this;
    const slots = this.dims[d]!.temporal;
    for (const l of slots) m.temporal[l * D + d] = 1;
    if (q === 1) return;
    if (slots.length === 0) throw new AccelmapError('infeasible', `no level may iterate over ${this.problem.dims[d]} under the ${this.constraints.name} constraints`);
    for (const p of primeFactors(q)) {
      const l = rng ? slots[rng.int(slots.length)]! : slots[0]!;
      m.temporal[l * D + d]! *= p;
    }
  }

  /** A uniformly random point (spatial factors, factor spreads, orders, keeps). */
  randomize(m: MappingArrays, rng: Rng): void {
    const { D, DS } = this;
    copyMapping(this.base(), m);
    const dimsOrder = rng.shuffle(Array.from({ length: D }, (_, d) => d));
    for (const d of dimsOrder) {
      for (const slot of rng.shuffle([...this.dims[d]!.spatial])) {
        if (this.otherAxis(m, slot, d) > 1) continue;
        const cands = this.candidates(m, d, slot);
        const f = cands[rng.int(cands.length)]!;
        (slot.axis === 0 ? m.spatialX : m.spatialY)[slot.level * D + d] = f;
      }
    }
    for (let d = 0; d < D; d++) this.spread(m, d, this.remaining(m, d), rng);
    for (let l = 0; l < this.L; l++) {
      if (!this.constraints.levels[l]!.order) {
        const order = rng.shuffle(Array.from({ length: D }, (_, i) => i));
        order.forEach((d, k) => (m.order[l * D + k] = d));
      }
      for (let s = 0; s < DS; s++) if (this.freeKeep[l]![s]) m.keep[l * DS + s] = rng.next() < 0.5 ? 1 : 0;
    }
  }

  /**
   * A random local move, written into `m` (a copy of the current point):
   * move a prime factor of a dim between two of its levels or between one
   * of its levels and one of its fan-outs, fill a fan-out axis anew
   * (`refillAxis`), change a spatial factor (re-spreading the dim's
   * remainder), swap two loops (both iterating) of a level whose order is
   * searched, or flip a keep bit. Returns false if no move applies.
   */
  move(m: MappingArrays, rng: Rng): boolean {
    const { D, DS } = this;
    for (let tries = 0; tries < 64; tries++) {
      const kind = rng.next();
      if (kind < 0.4) {
        const d = rng.int(D);
        const slots = this.dims[d]!.temporal;
        if (slots.length < 2) continue;
        let nonUnit = 0;
        for (const l of slots) if (m.temporal[l * D + d]! > 1) nonUnit++;
        if (nonUnit === 0) continue;
        let pick = rng.int(nonUnit), from = -1;
        for (const l of slots) if (m.temporal[l * D + d]! > 1 && pick-- === 0) from = l;
        const f = m.temporal[from * D + d]!;
        const primes = primeFactors(f);
        const p = primes[rng.int(primes.length)]!;
        let to = slots[rng.int(slots.length - 1)]!;
        if (to === from) to = slots[slots.length - 1]!;
        m.temporal[from * D + d] = f / p;
        m.temporal[to * D + d]! *= p;
        return true;
      }
      if (kind < 0.65) {
        if (this.shiftSpatialPrime(m, rng.int(D), rng)) return true;
        continue;
      }
      if (kind < 0.75) {
        if (this.refillAxis(m, rng)) return true;
        continue;
      }
      if (kind < 0.77) {
        const d = rng.int(D);
        const spatial = this.dims[d]!.spatial;
        if (spatial.length === 0) continue;
        const slot = spatial[rng.int(spatial.length)]!;
        const arr = slot.axis === 0 ? m.spatialX : m.spatialY;
        const i = slot.level * D + d;
        const old = arr[i]!;
        (slot.axis === 0 ? m.spatialY : m.spatialX)[i] = 1;
        arr[i] = 1;
        const cands = this.candidates(m, d, slot);
        const f = cands[rng.int(cands.length)]!;
        arr[i] = f;
        this.respread(m, d);
        if (f === old) continue;
        return true;
      }
      if (kind < 0.9) {
        const l = rng.int(this.L);
        if (this.constraints.levels[l]!.order) continue;
        // Only loops that iterate: swapping a loop of one step changes nothing.
        const iterating = this.iterating;
        let n = 0;
        for (let k = 0; k < D; k++) if (m.temporal[l * D + m.order[l * D + k]!]! > 1) iterating[n++] = k;
        if (n < 2) continue;
        const a = iterating[rng.int(n)]!;
        let b = iterating[rng.int(n - 1)]!;
        if (b === a) b = iterating[n - 1]!;
        const t = m.order[l * D + a]!;
        m.order[l * D + a] = m.order[l * D + b]!;
        m.order[l * D + b] = t;
        return true;
      }
      const l = rng.int(this.L), s = rng.int(DS);
      if (!this.freeKeep[l]![s]) continue;
      m.keep[l * DS + s] = 1 - m.keep[l * DS + s]!;
      return true;
    }
    return false;
  }

  /**
   * Moves one prime factor of dim d from a temporal level to one of its
   * fan-out slots (where the slot has room) or back from a slot to a random
   * temporal level, or hands a prime of a slot from d to another dim (d's
   * back to one of its temporal levels, the other's from one of its own),
   * as when the innermost fan-out should reduce over C rather than split K.
   * Returns false when d has no such move.
   */
  private shiftSpatialPrime(m: MappingArrays, d: number, rng: Rng): boolean {
    const { spatial, temporal } = this.dims[d]!;
    if (spatial.length === 0 || temporal.length === 0) return false;
    const slot = spatial[rng.int(spatial.length)]!;
    if (slot.coarse || this.otherAxis(m, slot, d) > 1) return false;
    const factor = (slot.axis === 0 ? m.spatialX : m.spatialY)[slot.level * this.D + d]!;
    const kind = rng.next();
    if (factor === 1 || kind < 0.35) return this.primeToSlot(m, d, slot, rng);
    this.primeFromSlot(m, d, slot, rng);
    if (kind < 0.7) return true;
    const others = this.dims.flatMap((_, e) => (e !== d && this.sameSlot(e, slot) ? [e] : []));
    if (others.length === 0) return true;
    const e = others[rng.int(others.length)]!;
    this.primeToSlot(m, e, this.sameSlot(e, slot)!, rng);
    return true;
  }

  /**
   * Empties one fan-out axis (its dims' factors back to their temporal
   * levels, re-spread) and fills it again: its dims in a random order, some
   * left out, each of the others taking half the time any factor the room
   * left allows and otherwise the largest (now and then the next largest).
   * A move between two full uses of an axis that single-prime moves reach
   * only through a poorly used one. Returns false when nothing changed.
   */
  refillAxis(m: MappingArrays, rng: Rng): boolean {
    const { D } = this;
    if (this.axisOf.length === 0) return false;
    // An axis in proportion to the dims that may use it.
    const on = this.axisOf[rng.int(this.axisOf.length)]!;
    const { level, axis } = on[0]!.slot;
    const arr = axis === 0 ? m.spatialX : m.spatialY;
    const before = on.map(({ d }) => arr[level * D + d]!);
    for (const { d } of on) arr[level * D + d] = 1;
    for (const { d, slot } of rng.shuffle([...on])) {
      if (this.otherAxis(m, slot, d) > 1 || rng.next() < 0.3) continue;
      const cands = this.candidates(m, d, slot);
      // Any factor half the time, so that small factors of several dims come to share the axis (eyeriss: K2·P2·S3 on 14).
      arr[level * D + d] = rng.next() < 0.5 ? cands[rng.int(cands.length)]! : cands[cands.length - 1 - (cands.length > 1 && rng.next() < 0.3 ? 1 : 0)]!;
    }
    let changed = false;
    on.forEach(({ d }, i) => {
      if (arr[level * D + d] === before[i]) return;
      changed = true;
      this.respread(m, d);
    });
    return changed;
  }

  /** Dim e's own slot on the fan-out axis of `slot`, if it has one. */
  private sameSlot(e: number, slot: SpatialSlot): SpatialSlot | undefined {
    return this.dims[e]!.spatial.find((x) => x.level === slot.level && x.axis === slot.axis);
  }

  /** A prime of one of dim d's temporal factors onto its slot, if the slot has room; the dim re-spread (a padded bound may shrink). */
  private primeToSlot(m: MappingArrays, d: number, slot: SpatialSlot, rng: Rng): boolean {
    const { D } = this;
    if (slot.coarse || this.otherAxis(m, slot, d) > 1) return false;
    const arr = slot.axis === 0 ? m.spatialX : m.spatialY;
    const i = slot.level * D + d;
    const from = this.dims[d]!.temporal.filter((l) => m.temporal[l * D + d]! > 1);
    if (from.length === 0) return false;
    const j = from[rng.int(from.length)]! * D + d;
    const primes = primeFactors(m.temporal[j]!);
    const p = primes[rng.int(primes.length)]!;
    if (arr[i]! * p > this.slotRoom(m, slot, d)) return false;
    m.temporal[j] = m.temporal[j]! / p;
    arr[i] = arr[i]! * p;
    this.respread(m, d);
    return true;
  }

  /** A prime of dim d's factor on its slot (> 1) to one of its temporal levels, at random; the dim re-spread. */
  private primeFromSlot(m: MappingArrays, d: number, slot: SpatialSlot, rng: Rng): void {
    const { D } = this;
    const arr = slot.axis === 0 ? m.spatialX : m.spatialY;
    const i = slot.level * D + d;
    const primes = primeFactors(arr[i]!);
    const p = primes[rng.int(primes.length)]!;
    const temporal = this.dims[d]!.temporal;
    arr[i] = arr[i]! / p;
    m.temporal[temporal[rng.int(temporal.length)]! * D + d]! *= p;
    this.respread(m, d);
  }

  /**
   * Visits every placement of dim d's factors (its spatial factors, then the
   * remainder over its temporal levels) with every other dim as in `m`;
   * `visit` returns false to stop. Leaves d's factors as the last visit set them.
   */
  forEachDimPlacement(m: MappingArrays, d: number, visit: () => boolean): boolean {
    const ds = this.dims[d]!;
    for (const slot of ds.spatial) (slot.axis === 0 ? m.spatialX : m.spatialY)[slot.level * this.D + d] = 1;
    return this.forEachSpatial(
      m,
      ds.spatial.map((slot) => ({ d, slot })),
      () => this.forEachTemporalPlacement(m, d, visit),
    );
  }

  /**
   * Visits every choice of dim d's spatial factors (given the room the other
   * dims leave), its temporal factors re-spread from those of `m` for each;
   * `visit` returns false to stop. Leaves d's factors as the last visit set them.
   */
  forEachSpatialChoice(m: MappingArrays, d: number, visit: () => boolean): boolean {
    const { D } = this;
    const ds = this.dims[d]!;
    const temporal = ds.temporal.map((l) => m.temporal[l * D + d]!);
    for (const slot of ds.spatial) (slot.axis === 0 ? m.spatialX : m.spatialY)[slot.level * D + d] = 1;
    return this.forEachSpatial(
      m,
      ds.spatial.map((slot) => ({ d, slot })),
      () => {
        ds.temporal.forEach((l, k) => (m.temporal[l * D + d] = temporal[k]!));
        this.respread(m, d);
        return visit();
      },
    );
  }

  /** Number of choices of dim d's spatial factors (`forEachSpatialChoice`; 1 when it has none). */
  spatialChoices(m: MappingArrays, d: number): number {
    const probe = cloneMapping(m);
    let n = 0;
    this.forEachSpatialChoice(probe, d, () => ++n > 0);
    return n;
  }

  /** Every (dim, fan-out slot) pair whose spatial factor is searched. */
  private spatialSlots(): { d: number; slot: SpatialSlot }[] {
    return this.dims.flatMap((ds, d) => ds.spatial.map((slot) => ({ d, slot })));
  }

  /**
   * The assignments of spatial factors to every dim and fan-out, those that
   * leave the fewest temporal iterations (the compute-cycle bound) first;
   * among equals, those using the fewest MAC units (the least padding), then
   * those with more parallelism at outer fan-outs (which replicates more of
   * the storage that serves the work); at most `limit` of them, each as a point with every dim's remainder at its
   * outermost temporal level. Enumeration stops after `scan` assignments.
   */
  spatialAssignments(limit: number, scan = 100_000): { point: MappingArrays; iterations: number }[] {
    const { D, L } = this;
    const m = this.base();
    const slots = this.spatialSlots();
    // The best `limit` so far, in order; a newcomer goes after its equals (the order of a stable sort of all of them).
    const kept: { x: Int32Array; y: Int32Array; iterations: number; units: number; perLevel: number[] }[] = [];
    const perLevel = new Array<number>(L);
    /** Order of (iterations, units, perLevel) against kept entry e: < 0 when it goes before e. */
    const order = (iterations: number, units: number, e: (typeof kept)[number]) => {
      if (iterations !== e.iterations) return iterations - e.iterations;
      if (units !== e.units) return units - e.units;
      for (let l = 0; l < L; l++) if (perLevel[l] !== e.perLevel[l]) return e.perLevel[l]! - perLevel[l]!;
      return 0;
    };
    let seen = 0;
    this.forEachSpatial(m, slots, () => {
      let iterations = 1, units = 1;
      for (let d = 0; d < D; d++) iterations *= this.remaining(m, d);
      for (let l = 0; l < L; l++) {
        let p = 1;
        for (let d = 0; d < D; d++) p *= m.spatialX[l * D + d]! * m.spatialY[l * D + d]!;
        perLevel[l] = p;
        units *= p;
      }
      if (kept.length < limit || order(iterations, units, kept[kept.length - 1]!) < 0) {
        let at = kept.length;
        while (at > 0 && order(iterations, units, kept[at - 1]!) < 0) at--;
        kept.splice(at, 0, { x: m.spatialX.slice(), y: m.spatialY.slice(), iterations, units, perLevel: perLevel.slice() });
        if (kept.length > limit) kept.pop();
      }
      return ++seen < scan;
    });
    return kept.map(({ x, y, iterations }) => {
      const point = this.base();
      point.spatialX.set(x);
      point.spatialY.set(y);
      for (let d = 0; d < D; d++) this.spread(point, d, this.remaining(point, d), null);
      return { point, iterations };
    });
  }

  /**
   * Random spatial factors that fill the fan-outs: dims and their slots in a
   * random order, most slots taking the largest factor (some the next
   * largest) the room left allows, some left out; every remainder at its
   * dim's outermost temporal level, orders and keeps the constraints' base.
   */
  fillingSpatial(m: MappingArrays, rng: Rng): void {
    const { D } = this;
    copyMapping(this.base(), m);
    for (const d of rng.shuffle(Array.from({ length: D }, (_, i) => i))) {
      for (const slot of rng.shuffle([...this.dims[d]!.spatial])) {
        if (this.otherAxis(m, slot, d) > 1 || rng.next() < 0.3) continue;
        const cands = this.candidates(m, d, slot);
        const pick = cands.length - 1 - (cands.length > 1 && rng.next() < 0.3 ? 1 : 0);
        (slot.axis === 0 ? m.spatialX : m.spatialY)[slot.level * D + d] = cands[pick]!;
      }
    }
    for (let d = 0; d < D; d++) this.spread(m, d, this.remaining(m, d), null);
  }

  /** The temporal loops of `m` as prime factors (dim, prime): each dim's remainder over its spatial factors. */
  primeLoops(m: MappingArrays): { d: number; p: number }[] {
    const out: { d: number; p: number }[] = [];
    for (let d = 0; d < this.D; d++) for (const p of primeFactors(this.remaining(m, d))) out.push({ d, p });
    return out;
  }

  /**
   * Temporal factors and loop orders from one ordering of the prime loops
   * (innermost first), the spatial factors and keeps as in `m`: each loop
   * goes to the innermost level, from the one the previous loop took
   * outward, that may iterate over its dim and whose kept tiles still fit
   * with it (bottom-up allocation, as LOMA does); each level's loops keep the
   * ordering's order. Costs no evaluation.
   */
  allocate(m: MappingArrays, loops: readonly { d: number; p: number }[]): void {
    const { D, L } = this;
    for (let d = 0; d < D; d++) for (const l of this.dims[d]!.temporal) m.temporal[l * D + d] = 1;
    // Tiles kept up to date as loops are placed: a loop at level l grows dim d's tile at l and at every level outside it.
    this.fillTiles(m);
    const tile = this.tiles;
    const grow = (l: number, d: number, p: number) => {
      for (let k = l; k >= 0; k--) tile[k * D + d]! *= p;
    };
    const shrink = (l: number, d: number, p: number) => {
      for (let k = l; k >= 0; k--) tile[k * D + d]! /= p;
    };
    const fitsUpTo = (l: number) => {
      for (let k = l; k >= 0; k--) if (!this.levelFits(m, tile, k)) return false;
      return true;
    };
    const placed: number[][] = Array.from({ length: L }, () => []);
    const within = this.temporalWithin;
    let level = L - 1;
    for (const { d, p } of loops) {
      const outermost = this.dims[d]!.temporal[0]!;
      for (;;) {
        const l = within[d * L + level]!;
        m.temporal[l * D + d]! *= p;
        grow(l, d, p);
        if (l === outermost || fitsUpTo(l)) {
          if (!placed[l]!.includes(d)) placed[l]!.push(d);
          break;
        }
        m.temporal[l * D + d]! /= p;
        shrink(l, d, p);
        level = l - 1;
      }
    }
    for (let l = 0; l < L; l++) {
      if (this.constraints.levels[l]!.order) continue;
      const inner = placed[l]!;
      const outer: number[] = [];
      for (let d = 0; d < D; d++) if (!inner.includes(d)) outer.push(d);
      [...outer, ...[...inner].reverse()].forEach((d, k) => (m.order[l * D + k] = d));
    }
  }

  /** Visits every choice of spatial factors for the (dim, fan-out slot) pairs of `list`, then calls `then`. */
  private forEachSpatial(m: MappingArrays, list: { d: number; slot: SpatialSlot }[], then: () => boolean): boolean {
    const go = (k: number): boolean => {
      if (k === list.length) return then();
      const { d, slot } = list[k]!;
      const arr = slot.axis === 0 ? m.spatialX : m.spatialY;
      const i = slot.level * this.D + d;
      arr[i] = 1;
      if (this.otherAxis(m, slot, d) > 1) return go(k + 1);
      for (const f of this.candidates(m, d, slot)) {
        arr[i] = f;
        if (!go(k + 1)) return false;
      }
      arr[i] = 1;
      return true;
    };
    return go(0);
  }

  /** Visits every placement of dim d's temporal factors over its levels (its spatial factors as in `m`). */
  forEachTemporalPlacement(m: MappingArrays, d: number, visit: () => boolean): boolean {
    const { D } = this;
    const slots = this.dims[d]!.temporal;
    const go = (t: number, rest: number): boolean => {
      if (slots.length === 0) return rest === 1 ? visit() : true;
      if (t === slots.length - 1) {
        m.temporal[slots[t]! * D + d] = rest;
        return visit();
      }
      for (const f of divisors(rest)) {
        m.temporal[slots[t]! * D + d] = f;
        if (!go(t + 1, rest / f)) return false;
      }
      return true;
    };
    return go(0, this.remaining(m, d));
  }

  /** Number of temporal placements of dim d (given its spatial factors in m). */
  temporalPlacements(m: MappingArrays, d: number): number {
    const slots = this.dims[d]!.temporal.length;
    return slots < 2 ? 1 : orderedFactorizations(this.remaining(m, d), slots);
  }

  /** Pairs of dims that may share one fan-out axis (their spatial factors compete for its room). */
  axisPairs(): { a: number; b: number; slotA: SpatialSlot; slotB: SpatialSlot }[] {
    const out: { a: number; b: number; slotA: SpatialSlot; slotB: SpatialSlot }[] = [];
    for (let a = 0; a < this.D; a++) {
      for (const slotA of this.dims[a]!.spatial) {
        for (let b = a + 1; b < this.D; b++) {
          const slotB = this.dims[b]!.spatial.find((x) => x.level === slotA.level && x.axis === slotA.axis);
          if (slotB) out.push({ a, b, slotA, slotB });
        }
      }
    }
    return out;
  }

  /** Visits every split of one fan-out axis between dims a and b (each re-spread over its temporal levels). */
  forEachAxisSplit(m: MappingArrays, p: { a: number; b: number; slotA: SpatialSlot; slotB: SpatialSlot }, visit: () => boolean): boolean {
    const { D } = this;
    const arr = p.slotA.axis === 0 ? m.spatialX : m.spatialY;
    const ia = p.slotA.level * D + p.a, ib = p.slotB.level * D + p.b;
    if (this.otherAxis(m, p.slotA, p.a) > 1 || this.otherAxis(m, p.slotB, p.b) > 1) return true;
    arr[ia] = 1;
    arr[ib] = 1;
    for (const fa of this.candidates(m, p.a, p.slotA)) {
      arr[ia] = fa;
      arr[ib] = 1;
      for (const fb of this.candidates(m, p.b, p.slotB)) {
        arr[ib] = fb;
        this.respread(m, p.a);
        this.respread(m, p.b);
        if (!visit()) return false;
      }
    }
    return true;
  }

  /** Visits orders of level l (all permutations of its non-unit loops, or `limit` random ones if there are more). */
  forEachOrder(m: MappingArrays, l: number, rng: Rng, limit: number, visit: () => boolean): boolean {
    const { D } = this;
    const nonUnit: number[] = [], unit: number[] = [];
    for (let k = 0; k < D; k++) {
      const d = m.order[l * D + k]!;
      (m.temporal[l * D + d]! > 1 ? nonUnit : unit).push(d);
    }
    unit.forEach((d, k) => (m.order[l * D + k] = d));
    const base = unit.length;
    let count = 1;
    for (let i = 2; i <= nonUnit.length; i++) count *= i;
    if (count > limit) {
      for (let t = 0; t < limit; t++) {
        rng.shuffle(nonUnit).forEach((d, k) => (m.order[l * D + base + k] = d));
        if (!visit()) return false;
      }
      return true;
    }
    const go = (k: number, used: boolean[]): boolean => {
      if (k === nonUnit.length) return visit();
      for (let i = 0; i < nonUnit.length; i++) {
        if (used[i]) continue;
        used[i] = true;
        m.order[l * D + base + k] = nonUnit[i]!;
        const ok = go(k + 1, used);
        used[i] = false;
        if (!ok) return false;
      }
      return true;
    };
    return go(0, nonUnit.map(() => false));
  }

  /** After a dim's spatial factors change: keep each level's temporal factor where it still divides, the rest to the outermost allowed level. */
  private respread(m: MappingArrays, d: number): void {
    const { D } = this;
    let q = this.remaining(m, d);
    const slots = this.dims[d]!.temporal;
    for (let k = slots.length - 1; k >= 0; k--) {
      const i = slots[k]! * D + d;
      const g = gcd(m.temporal[i]!, q);
      m.temporal[i] = k === 0 ? q : g;
      q /= m.temporal[i]!;
    }
    if (slots.length === 0 && q > 1) m.temporal[d] = q;
  }

  /**
   * An upper bound on the number of points (before capacity and fan-out
   * pruning): per dim, Σ over its spatial choices of the ordered
   * factorizations of the remainder; × searched loop orders; × keep choices.
   * Returned as log10.
   */
  log10Size(): number {
    let log = 0;
    for (const ds of this.dims) {
      let count = 0;
      const visit = (k: number, rest: number) => {
        if (k === ds.spatial.length) {
          count += orderedFactorizations(rest, Math.max(1, ds.temporal.length));
          return;
        }
        const slot = ds.spatial[k]!;
        for (const f of slot.coarse ?? spatialCandidates(rest, slot.cap)) visit(k + 1, Math.ceil(rest / f));
      };
      visit(0, ds.bound);
      log += Math.log10(count);
    }
    for (let l = 0; l < this.L; l++) {
      if (!this.constraints.levels[l]!.order) {
        const k = this.dims.filter((x) => x.temporal.includes(l)).length;
        for (let i = 2; i <= k; i++) log += Math.log10(i);
      }
      for (const free of this.freeKeep[l]!) if (free) log += Math.log10(2);
    }
    return log;
  }

  /**
   * Visits every point of the space (exhaustive search). Spatial factors are
   * enumerated first (the smallest factor per number of passes, which loses
   * nothing: fewer idle PEs and less padding for the same loops); then
   * temporal factors level by level from the innermost, with keep choices,
   * cutting any branch whose kept tiles overflow a level (outer levels cannot
   * shrink an inner tile); then loop orders of levels whose order is
   * searched, over their non-unit loops only. `visit` returns false to stop.
   */
  enumerate(visit: (m: MappingArrays) => boolean): boolean {
    const { D, L, DS } = this;
    const m = this.base();
    const slots = this.spatialSlots();
    const tile = new Float64Array((L + 1) * D);
    const rest = new Array<number>(D).fill(1);

    const orders = (l: number): boolean => {
      if (l < 0) return visit(m);
      if (this.constraints.levels[l]!.order) return orders(l - 1);
      const nonUnit: number[] = [], unit: number[] = [];
      for (let d = 0; d < D; d++) (m.temporal[l * D + d]! > 1 ? nonUnit : unit).push(d);
      const go = (k: number, used: boolean[]): boolean => {
        if (k === nonUnit.length) return orders(l - 1);
        for (let i = 0; i < nonUnit.length; i++) {
          if (used[i]) continue;
          used[i] = true;
          m.order[l * D + unit.length + k] = nonUnit[i]!;
          const ok = go(k + 1, used);
          used[i] = false;
          if (!ok) return false;
        }
        return true;
      };
      unit.forEach((d, k) => (m.order[l * D + k] = d));
      return go(0, nonUnit.map(() => false));
    };

    const fits = (l: number): boolean => this.levelFits(m, tile, l);

    const keeps = (l: number, s: number, then: () => boolean): boolean => {
      if (s === DS) return then();
      if (!this.freeKeep[l]![s]) return keeps(l, s + 1, then);
      for (const k of [1, 0]) {
        m.keep[l * DS + s] = k;
        if (!keeps(l, s + 1, then)) return false;
      }
      return true;
    };

    // Temporal factors at level l for dims d, d+1, …; then keep choices and capacity; then level l−1.
    const temporal = (l: number, d: number): boolean => {
      if (l < 0) {
        for (let x = 0; x < D; x++) if (rest[x] !== 1) return true;
        return orders(L - 1);
      }
      if (d === D) {
        for (let x = 0; x < D; x++) tile[l * D + x] = tile[(l + 1) * D + x]! * m.temporal[l * D + x]! * m.spatialX[l * D + x]! * m.spatialY[l * D + x]!;
        return keeps(l, 0, () => (fits(l) ? temporal(l - 1, 0) : true));
      }
      const allowed = this.dims[d]!.temporal;
      if (!allowed.includes(l)) return temporal(l, d + 1);
      const outermost = allowed[0] === l;
      const choices = outermost ? [rest[d]!] : divisors(rest[d]!);
      const saved = rest[d]!;
      for (const f of choices) {
        m.temporal[l * D + d] = f;
        rest[d] = saved / f;
        if (!temporal(l, d + 1)) return false;
      }
      m.temporal[l * D + d] = 1;
      rest[d] = saved;
      return true;
    };

    return this.forEachSpatial(m, slots, () => {
      for (let d = 0; d < D; d++) rest[d] = this.remaining(m, d);
      for (let d = 0; d < D; d++) tile[L * D + d] = 1;
      return temporal(L - 1, 0);
    });
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
