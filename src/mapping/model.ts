import { findPrecision, type Architecture, type PrecisionMode } from '../arch/types.js';
import type { Problem } from '../problem/types.js';
import type { MappingArrays } from './mapping.js';

/**
 * The analytical cost model: (problem, architecture) compiled once into typed
 * arrays; `evaluate(mapping)` then counts accesses, cycles and energy without
 * allocating. It follows Timeloop's conventions (see docs/architecture.md,
 * "mapping/"):
 *
 * - A level's tile for a data space is the axis-aligned box spanned by its
 *   loops and everything inside them: per tensor rank, 1 + Σ coef·(extent − 1).
 * - Fills of a level (per instance) = the first tile plus, at every step of the
 *   temporal loops above it, the part of the new tile that the previous tile
 *   did not hold. Between consecutive tiles the delta is: nothing when they are
 *   equal; the non-overlapping slab when they differ along exactly one tensor
 *   rank and overlap (a sliding window); otherwise the whole tile. A slide is
 *   only kept as a slab while it moves the same way as the innermost loop's
 *   slide (Timeloop resets its sliding state when the stride changes direction).
 * - A parent serves its children's fills; children whose tiles sit at the same
 *   place in the tensor (they differ only in dims irrelevant to the data space,
 *   or along a sliding window, e.g. p + r) need the same words at the same
 *   time and are served by one read when the fan-out multicasts; read-write
 *   data from such children is added on the way up when the fan-out reduces.
 * - The MACs read every operand once per MAC (after multicast across MAC
 *   units) from the innermost level that keeps it.
 * - Read-write data: updates = accesses from the children; reads = updates −
 *   partition (the elements an instance holds: their first write needs no
 *   read); fills = parent's share − partition (or the whole share, as earlier
 *   Timeloop releases count: ModelOptions.readWriteFills). The outermost level
 *   has no fills.
 * - Cycles: compute cycles = temporal iterations per MAC unit ÷ MACs per cycle
 *   in the precision mode; a level needs at least its reads (and its fills +
 *   updates, and all of them) per instance ÷ its read (write, shared)
 *   bandwidth — Timeloop's compute cycles ÷ slowdown, computed without the
 *   round trip through a ratio; total = the slowest level.
 * - Energy: per level, data space and action, ceil(accesses per instance ÷
 *   block size) × energy per block × instances used; plus network words ×
 *   energy per word for every fan-out crossed, MACs × energy per MAC, and
 *   leakage per instance per cycle.
 */
export const INVALID = {
  none: 0,
  /** A dimension's factors do not cover its bound. */
  factors: 1,
  /** Spatial factors exceed a fan-out's mesh. */
  fanOut: 2,
  /** Kept tiles exceed a level's capacity. */
  capacity: 3,
  /** A level keeps a data space its spec does not allow, or the outermost level does not keep everything. */
  keep: 4,
  /** A level's loop order does not list every dim exactly once. */
  order: 5,
} as const;

export type InvalidCode = (typeof INVALID)[keyof typeof INVALID];

const MAX_RANK_TERMS = 4;

/**
 * Distinct values of a·i + b·j for 0 ≤ i < n, 0 ≤ j < k (a, b > 0). With
 * g = gcd(a, b), two pairs collide exactly when they differ by (b/g, −a/g), so
 * the distinct values are the pairs without such a predecessor.
 */
export function gridDistinct(a: number, n: number, b: number, k: number): number {
  let x = a, y = b;
  while (y !== 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  return n * k - Math.max(0, n - b / x) * Math.max(0, k - a / x);
}

export interface ModelOptions {
  /** Precision mode name; the architecture's first mode by default. */
  precision?: string;
  /**
   * Fills of read-write data at a level below the backing store.
   * `'elided'` (the default, Timeloop's current convention): the parent's
   * share minus the partition — an element's first write needs no fill.
   * `'parent-share'` (earlier Timeloop releases, whose outputs the public
   * Timeloop exercises ship): the parent's share — every element an instance
   * holds arrives once as a fill. Reads, updates and every other count are
   * the same under both.
   */
  readWriteFills?: 'elided' | 'parent-share';
}

/** Rank of data space s that dim d indexes: a rank ≥ 0, NONE, or MANY (several ranks). */
const NONE = -1;
const MANY = -2;

export class CostModel {
  readonly problem: Problem;
  readonly arch: Architecture;
  readonly precision: PrecisionMode;
  readonly L: number;
  readonly D: number;
  readonly DS: number;
  /** Tensor ranks over all data spaces. */
  readonly R: number;
  readonly realMacs: number;
  readonly macUnits: number;
  /** Whether read-write fills leave out the partition (ModelOptions.readWriteFills). */
  private readonly elideReadWriteFills: boolean;

  // ---- compiled problem
  private readonly bounds: Float64Array;
  private readonly readWrite: Uint8Array;
  /** Ranks of data space s are rankStart[s] … rankStart[s+1]−1 (global rank numbers). */
  readonly rankStart: Int32Array;
  /** Terms of data space s: sTermStart[s] … sTermStart[s+1]−1 index sTermDim/sTermRank/sTermCoef. */
  private readonly sTermStart: Int32Array;
  private readonly sTermDim: Int32Array;
  private readonly sTermRank: Int32Array;
  private readonly sTermCoef: Float64Array;
  /** [s*D+d]: the one rank dim d indexes in s (with dimCoef), NONE or MANY. */
  private readonly dimRank: Int32Array;
  private readonly dimCoef: Float64Array;
  /** 1 when a rank is indexed by several dims (a sliding window). */
  private readonly rankMulti: Uint8Array;

  // ---- compiled architecture (per level l; fan-out arrays describe the fan-out below level l)
  private readonly capacity: Float64Array;
  private readonly blockSize: Float64Array;
  private readonly readPj: Float64Array;
  private readonly fillPj: Float64Array;
  private readonly updatePj: Float64Array;
  /** Σ over levels of leakage per instance per cycle × instances. */
  private readonly leakPjPerCycle: number;
  private readonly readBw: Float64Array;
  private readonly writeBw: Float64Array;
  private readonly sharedBw: Float64Array;
  private readonly fanX: Float64Array;
  private readonly fanY: Float64Array;
  private readonly multicast: Uint8Array;
  private readonly reduction: Uint8Array;
  private readonly netPj: Float64Array;
  private readonly allowed: Uint8Array;

  // ---- scratch (reused by every evaluation)
  /** Tile dims: T[l*D+d] = product of every factor of d at levels ≥ l; row L is all ones. */
  private readonly T: Float64Array;
  /** Tile extent per level and rank: [l*R + r]. */
  readonly extent: Float64Array;
  private readonly W: Float64Array;
  private readonly tiles: Float64Array;
  private bitmap = new Uint8Array(0);
  /** Spatial terms per rank for counting distinct child positions: [r*MAX_RANK_TERMS + k]. */
  private readonly rankTerms: Int32Array;
  private readonly termStep: Float64Array;
  private readonly termCount: Float64Array;
  /** Temporal loops with more than one iteration, innermost first: dim, iterations and stride (the tile of the dim inside the loop). */
  private readonly loopDim: Int32Array;
  private readonly loopN: Float64Array;
  private readonly loopStride: Float64Array;
  /** Loops at levels ≥ l: the loops above level l are loopsFrom[l] … nLoops−1. */
  private readonly loopsFrom: Int32Array;
  /** Per loop: (n − 1) × the iterations of every loop outside it = how often it steps. */
  private readonly loopSteps: Float64Array;
  private nLoops = 0;
  private readonly spatialProd: Float64Array;
  /** Dims with a spatial factor > 1 at level l: spatialDims[l*D … l*D + spatialCount[l]). */
  private readonly spatialDims: Int32Array;
  private readonly spatialCount: Int32Array;
  /** Instances of level l the spatial factors use; [L]: MAC units. */
  readonly usedInstances: Float64Array;

  // ---- results of the last evaluation ([l*DS+s], per instance, unless noted)
  readonly tileSize: Float64Array;
  readonly partition: Float64Array;
  readonly reads: Float64Array;
  readonly fills: Float64Array;
  readonly updates: Float64Array;
  /** Words crossing the fan-out below level l, all instances: [l*DS+s]. */
  readonly networkWords: Float64Array;
  /** Access energy per level and data space, all instances, pJ. */
  readonly energyPj: Float64Array;
  /** Per level: bandwidth over demand (≤ 1) and the cycles the level alone would take. */
  readonly slowdown: Float64Array;
  readonly levelCycles: Float64Array;
  /** Network energy per fan-out (below level l), pJ. */
  readonly networkEnergyPj: Float64Array;

  valid = false;
  /** Sum of the mapping's words touched before evaluating (kept so that the loads stay). */
  touched = 0;
  invalidCode: InvalidCode = INVALID.none;
  /** The level (or the dim, for INVALID.factors) the reason refers to. */
  invalidWhere = -1;
  /** Kept words (capacity), spatial product (fan-out), covered bound (factors), data space (keep). */
  invalidValue = 0;
  computeCycles = 0;
  cycles = 0;
  paddedMacs = 0;
  /** MAC units the spatial factors use. */
  usedUnits = 0;
  macEnergyPj = 0;
  leakEnergyPj = 0;
  totalEnergyPj = 0;
  utilization = 0;

  constructor(problem: Problem, arch: Architecture, options: ModelOptions = {}) {
    this.problem = problem;
    this.arch = arch;
    this.precision = findPrecision(arch, options.precision);
    this.elideReadWriteFills = options.readWriteFills !== 'parent-share';
    const L = (this.L = arch.levels.length);
    const D = (this.D = problem.dims.length);
    const DS = (this.DS = problem.dataSpaces.length);
    this.bounds = Float64Array.from(problem.bounds);
    this.realMacs = problem.bounds.reduce((a, b) => a * b, 1);
    this.macUnits = arch.compute.instances;

    this.readWrite = Uint8Array.from(problem.dataSpaces, (s) => (s.readWrite ? 1 : 0));
    this.rankStart = new Int32Array(DS + 1);
    let R = 0;
    problem.dataSpaces.forEach((s, i) => {
      this.rankStart[i] = R;
      R += s.projection.length;
    });
    this.rankStart[DS] = R;
    this.R = R;
    const terms: { s: number; d: number; rank: number; coef: number }[] = [];
    problem.dataSpaces.forEach((s, si) =>
      s.projection.forEach((proj, r) =>
        proj.forEach((t) => {
          if (t.coef < 0) throw new Error(`problem ${problem.kind}: negative projection coefficients are not supported`);
          if (t.coef > 0) terms.push({ s: si, d: t.dim, rank: this.rankStart[si]! + r, coef: t.coef });
        }),
      ),
    );
    this.sTermStart = new Int32Array(DS + 1);
    this.sTermDim = Int32Array.from(terms, (t) => t.d);
    this.sTermRank = Int32Array.from(terms, (t) => t.rank);
    this.sTermCoef = Float64Array.from(terms, (t) => t.coef);
    for (let s = 0, k = 0; s <= DS; s++) {
      while (k < terms.length && terms[k]!.s < s) k++;
      this.sTermStart[s] = k;
    }
    this.dimRank = new Int32Array(DS * D).fill(NONE);
    this.dimCoef = new Float64Array(DS * D);
    this.rankMulti = new Uint8Array(R);
    const rankDims = Array.from({ length: R }, () => new Set<number>());
    for (const t of terms) {
      const i = t.s * D + t.d;
      if (this.dimRank[i] === NONE) {
        this.dimRank[i] = t.rank;
        this.dimCoef[i] = t.coef;
      } else if (this.dimRank[i] === t.rank) {
        this.dimCoef[i]! += t.coef;
      } else {
        this.dimRank[i] = MANY;
      }
      rankDims[t.rank]!.add(t.d);
    }
    rankDims.forEach((dims, r) => (this.rankMulti[r] = dims.size > 1 ? 1 : 0));

    const lv = arch.levels;
    const fanBelow = (l: number) => (l + 1 < L ? lv[l + 1]!.fanOut : arch.compute.fanOut);
    this.capacity = Float64Array.from(lv, (x) => x.capacityWords / x.multipleBuffering);
    this.blockSize = Float64Array.from(lv, (x) => x.blockSize);
    this.readPj = Float64Array.from(lv, (x) => x.energy.readPj);
    this.fillPj = Float64Array.from(lv, (x) => x.energy.fillPj);
    this.updatePj = Float64Array.from(lv, (x) => x.energy.updatePj);
    this.leakPjPerCycle = lv.reduce((sum, x) => sum + x.energy.leakPjPerCycle * x.instances, 0);
    this.readBw = Float64Array.from(lv, (x) => x.readBandwidth);
    this.writeBw = Float64Array.from(lv, (x) => x.writeBandwidth);
    this.sharedBw = Float64Array.from(lv, (x) => x.sharedBandwidth);
    this.fanX = Float64Array.from(lv, (_, l) => fanBelow(l).meshX);
    this.fanY = Float64Array.from(lv, (_, l) => fanBelow(l).meshY);
    this.multicast = Uint8Array.from(lv, (_, l) => (fanBelow(l).multicast ? 1 : 0));
    this.reduction = Uint8Array.from(lv, (_, l) => (fanBelow(l).reduction ? 1 : 0));
    this.netPj = Float64Array.from(lv, (_, l) => fanBelow(l).energyPerWordPj);
    this.allowed = new Uint8Array(L * DS);
    lv.forEach((x, l) => problem.dataSpaces.forEach((s, si) => (this.allowed[l * DS + si] = x.dataSpaces === null || x.dataSpaces.includes(s.name) ? 1 : 0)));

    this.T = new Float64Array((L + 1) * D);
    this.T.fill(1, L * D);
    this.extent = new Float64Array(L * R);
    this.W = new Float64Array(R);
    this.tiles = new Float64Array(R);
    this.rankTerms = new Int32Array(R);
    this.termStep = new Float64Array(R * MAX_RANK_TERMS);
    this.termCount = new Float64Array(R * MAX_RANK_TERMS);
    this.loopDim = new Int32Array(L * D);
    this.loopN = new Float64Array(L * D);
    this.loopStride = new Float64Array(L * D);
    this.loopsFrom = new Int32Array(L + 1);
    this.loopSteps = new Float64Array(L * D);
    this.spatialProd = new Float64Array(L);
    this.spatialDims = new Int32Array(L * D);
    this.spatialCount = new Int32Array(L);
    this.usedInstances = new Float64Array(L + 1);
    this.tileSize = new Float64Array(L * DS);
    this.partition = new Float64Array(L * DS);
    this.reads = new Float64Array(L * DS);
    this.fills = new Float64Array(L * DS);
    this.updates = new Float64Array(L * DS);
    this.networkWords = new Float64Array(L * DS);
    this.energyPj = new Float64Array(L * DS);
    this.slowdown = new Float64Array(L);
    this.levelCycles = new Float64Array(L);
    this.networkEnergyPj = new Float64Array(L);
  }

  private fail(code: InvalidCode, where: number, value: number): boolean {
    this.valid = false;
    this.invalidCode = code;
    this.invalidWhere = where;
    this.invalidValue = value;
    return false;
  }

  /**
   * Evaluates a mapping; returns whether it is valid. On success the result
   * fields and arrays describe it; on failure `invalidCode`, `invalidWhere`
   * and `invalidValue` say why.
   */
  evaluate(m: MappingArrays): boolean {
    const L = this.L, D = this.D, DS = this.DS, R = this.R;
    const T = this.T, temporal = m.temporal, spatialX = m.spatialX, spatialY = m.spatialY, order = m.order, keep = m.keep;
    const loopDim = this.loopDim, loopN = this.loopN, loopStride = this.loopStride, allowed = this.allowed;
    const spatialProd = this.spatialProd, spatialDims = this.spatialDims;

    // Touch every cache line of the mapping first: the loads below depend on the order's, so a
    // mapping that is not in cache would otherwise miss one line after another.
    const slots = L * D;
    let touch = order[0]! + order[slots - 1]! + keep[0]! + keep[L * DS - 1]!;
    for (let i = 0; i < slots; i += 8) touch += temporal[i]! + spatialX[i]! + spatialY[i]!;
    this.touched = touch + temporal[slots - 1]! + spatialX[slots - 1]! + spatialY[slots - 1]!;

    // One pass from the innermost level out, each level's dims in loop order from the innermost:
    // tile dims, fan-outs, keep rules and the temporal loops with more than one iteration
    // (innermost first; a loop's stride is its dim's tile inside it).
    const allDims = (1 << D) - 1;
    let nLoops = 0;
    let iters = 1;
    for (let l = L - 1; l >= 0; l--) {
      const row = l * D;
      let sx = 1, sy = 1, count = 0, seen = 0;
      for (let k = D - 1; k >= 0; k--) {
        const d = order[row + k]!;
        seen |= 1 << d;
        const i = row + d;
        const x = spatialX[i]!, y = spatialY[i]!, n = temporal[i]!;
        sx *= x;
        sy *= y;
        const xy = x * y;
        const stride = T[i + D]! * xy;
        T[i] = stride * n;
        if (xy !== 1) spatialDims[row + count++] = d;
        // Without a branch (factors are ≥ 1, so (1 − n) >>> 31 is 1 exactly when n > 1): which
        // dims have loops is arbitrary, so a branch on it would be mispredicted often.
        loopDim[nLoops] = d;
        loopN[nLoops] = n;
        loopStride[nLoops] = stride;
        nLoops += (1 - n) >>> 31;
        iters *= n;
      }
      if (seen !== allDims) return this.fail(INVALID.order, l, seen);
      if (sx > this.fanX[l]!) return this.fail(INVALID.fanOut, l, sx);
      if (sy > this.fanY[l]!) return this.fail(INVALID.fanOut, l, sy);
      this.spatialCount[l] = count;
      spatialProd[l] = sx * sy;
      for (let s = 0; s < DS; s++) {
        const k = keep[l * DS + s]!;
        if ((k && !allowed[l * DS + s]) || (l === 0 && !k)) return this.fail(INVALID.keep, l, s);
      }
      this.loopsFrom[l] = nLoops;
    }
    for (let d = 0; d < D; d++) if (T[d]! < this.bounds[d]!) return this.fail(INVALID.factors, d, T[d]!);
    this.nLoops = nLoops;
    const loopSteps = this.loopSteps;
    for (let j = nLoops - 1, outer = 1; j >= 0; j--) {
      const n = loopN[j]!;
      loopSteps[j] = (n - 1) * outer;
      outer *= n;
    }
    let used = 1;
    for (let l = 0; l < L; l++) {
      this.usedInstances[l] = used;
      used *= spatialProd[l]!;
    }
    this.usedInstances[L] = used;
    this.computeCycles = Math.ceil(iters / this.precision.macsPerCycle);
    this.paddedMacs = iters * used;
    this.usedUnits = used;

    // Tiles of the kept data spaces (and of every data space at level 0); capacity.
    const tileSize = this.tileSize, extent = this.extent;
    for (let l = 0; l < L; l++) {
      let kept = 0;
      for (let s = 0; s < DS; s++) {
        const i = l * DS + s;
        if (keep[i] || l === 0) {
          const size = this.box(s, T, l * D, extent, l * R);
          tileSize[i] = size;
          kept += size;
        } else {
          tileSize[i] = 0;
        }
      }
      if (kept > this.capacity[l]!) return this.fail(INVALID.capacity, l, kept);
    }

    const reads = this.reads, fills = this.fills, updates = this.updates, partition = this.partition, networkWords = this.networkWords;
    for (let i = 0, n = L * DS; i < n; i++) {
      reads[i] = 0;
      fills[i] = 0;
      updates[i] = 0;
      networkWords[i] = 0;
    }
    const readWrite = this.readWrite, usedInstances = this.usedInstances, elide = this.elideReadWriteFills;
    for (let s = 0; s < DS; s++) {
      const rw = readWrite[s] === 1;
      if (rw) this.partitions(m, s);
      let parent = 0;
      for (let child = 1; child <= L; child++) {
        if (child < L && !keep[child * DS + s]) continue;
        // Fills per child instance; the MACs take one word per iteration.
        const childFills = child === L ? iters : this.fillsOf(child, s);
        // Children spread over fan-outs (more instances than the parent) may share words.
        const accesses = usedInstances[child] === usedInstances[parent] ? childFills : childFills * this.groups(m, parent, child, s, rw);
        const pi = parent * DS + s;
        if (rw) {
          updates[pi] = accesses;
          reads[pi] = accesses - partition[pi]!;
        } else {
          reads[pi] = accesses;
        }
        if (child < L) {
          const ci = child * DS + s;
          fills[ci] = rw && elide ? childFills - partition[ci]! : childFills;
        }
        const words = (accesses + (rw ? reads[pi]! : 0)) * usedInstances[parent]!;
        for (let l = parent; l < child; l++) networkWords[l * DS + s] += words;
        parent = child;
      }
    }

    this.cyclesAndEnergy();
    this.valid = true;
    this.invalidCode = INVALID.none;
    return true;
  }

  /** Size of data space s over the box dims[offset … +D); writes each rank's extent to out[outOffset + r]. */
  private box(s: number, dims: Float64Array, offset: number, out: Float64Array, outOffset: number): number {
    const r0 = this.rankStart[s]!, r1 = this.rankStart[s + 1]!;
    const rank = this.sTermRank, coef = this.sTermCoef, dim = this.sTermDim;
    for (let r = r0; r < r1; r++) out[outOffset + r] = 1;
    for (let k = this.sTermStart[s]!, e = this.sTermStart[s + 1]!; k < e; k++) {
      out[outOffset + rank[k]!] += coef[k]! * (dims[offset + dim[k]!]! - 1);
    }
    let size = 1;
    for (let r = r0; r < r1; r++) size *= out[outOffset + r]!;
    return size;
  }

  /**
   * Fills per instance of level `child` for data space s: the first tile plus
   * the delta at every step of the temporal loops above it. Walking the loops
   * from the innermost out, W[r] accumulates how far the inner loops rewind
   * rank r when an outer loop steps.
   */
  private fillsOf(child: number, s: number): number {
    const W = this.W, DS = this.DS, extent = this.extent, sD = s * this.D;
    const loopSteps = this.loopSteps, loopDim = this.loopDim, loopStride = this.loopStride, dimRank = this.dimRank, dimCoef = this.dimCoef;
    const r0 = this.rankStart[s]!, r1 = this.rankStart[s + 1]!;
    const ext = child * this.R;
    const full = this.tileSize[child * DS + s]!;
    const first = this.loopsFrom[child]!, end = this.nLoops;
    for (let r = r0; r < r1; r++) W[r] = 0;
    // Ranks with W ≠ 0, in the order they became non-zero (W never returns to 0).
    let nonzero = 0, firstW = -1, secondW = -1;
    let fills = full;
    // The innermost loop's slide: rank for a forward slide, −2 − rank backward, −1 none.
    let slide = -1;
    for (let j = first; j < end; j++) {
      const d = loopDim[j]!;
      const r = dimRank[sD + d]!;
      let moved = nonzero;
      let rank = -1;
      let delta = 0;
      if (r >= 0) {
        const w = W[r]!;
        const dr = dimCoef[sD + d]! * loopStride[j]! - w;
        if (w !== 0) moved--;
        if (dr !== 0) {
          moved++;
          rank = r;
          delta = dr;
        } else if (moved === 1) {
          rank = w !== 0 ? (firstW === r ? secondW : firstW) : firstW;
          delta = -W[rank]!;
        }
      } else if (r === NONE) {
        if (moved === 1) {
          rank = firstW;
          delta = -W[rank]!;
        }
      } else {
        moved = this.multiMoves(s, d, loopStride[j]!);
        rank = this.moveRank;
        delta = this.moveDelta;
      }
      if (moved !== 0) {
        let cost = full;
        if (moved === 1) {
          const a = delta > 0 ? delta : -delta;
          const e = extent[ext + rank]!;
          if (a < e) {
            const dir = delta > 0 ? rank : -2 - rank;
            if (j === first) slide = dir;
            if (slide === -1 || slide === dir) cost = (a * full) / e;
          }
        }
        fills += loopSteps[j]! * cost;
      }
      // From now on this loop rewinds (n − 1) strides whenever an outer loop steps.
      if (r >= 0) {
        if (W[r] === 0) {
          nonzero++;
          if (firstW < 0) firstW = r;
          else secondW = r;
        }
        W[r]! += dimCoef[sD + d]! * loopStride[j]! * (this.loopN[j]! - 1);
      } else if (r === MANY) {
        const k1 = this.sTermStart[s + 1]!;
        const rewind = (this.loopN[j]! - 1) * loopStride[j]!;
        for (let k = this.sTermStart[s]!; k < k1; k++) {
          if (this.sTermDim[k] !== d) continue;
          const rr = this.sTermRank[k]!;
          if (W[rr] === 0) {
            nonzero++;
            if (firstW < 0) firstW = rr;
            else secondW = rr;
          }
          W[rr]! += this.sTermCoef[k]! * rewind;
        }
      }
    }
    return fills;
  }

  private moveRank = -1;
  private moveDelta = 0;

  /** A dim in several ranks of one data space: counts the ranks that move at its step. */
  private multiMoves(s: number, d: number, stride: number): number {
    const { W, tiles } = this;
    const r0 = this.rankStart[s]!, r1 = this.rankStart[s + 1]!;
    for (let r = r0; r < r1; r++) tiles[r] = -W[r]!;
    for (let k = this.sTermStart[s]!, e = this.sTermStart[s + 1]!; k < e; k++) if (this.sTermDim[k] === d) tiles[this.sTermRank[k]!] += this.sTermCoef[k]! * stride;
    let moved = 0;
    this.moveRank = -1;
    this.moveDelta = 0;
    for (let r = r0; r < r1; r++) {
      if (tiles[r] !== 0) {
        moved++;
        this.moveRank = r;
        this.moveDelta = tiles[r]!;
      }
    }
    return moved;
  }

  /**
   * Distinct deltas a parent instance serves per step: children whose tiles
   * sit at the same place in the tensor (every child moves alike in time) need
   * the same words, so one multicast read (or one reduced update) serves them,
   * unless a fan-out between them cannot merge. Per tensor rank, the distinct
   * positions of the merging spatial loops are counted in closed form (one
   * loop: its factor; two: a·i + b·j over a grid; more: by listing).
   */
  private groups(m: MappingArrays, parent: number, child: number, s: number, rw: boolean): number {
    const D = this.D, spatialProd = this.spatialProd;
    const merges = rw ? this.reduction : this.multicast;
    const spatialCount = this.spatialCount, spatialDims = this.spatialDims, spatialX = m.spatialX, spatialY = m.spatialY;
    const dimRank = this.dimRank, dimCoef = this.dimCoef, T = this.T;
    const rankTerms = this.rankTerms, termStep = this.termStep, termCount = this.termCount;
    const r0 = this.rankStart[s]!, r1 = this.rankStart[s + 1]!;
    let groups = 1;
    let any = false;
    let listed = false;
    for (let l = parent; l < child; l++) {
      const prod = spatialProd[l]!;
      if (prod === 1) continue;
      if (!merges[l]) {
        groups *= prod;
        continue;
      }
      for (let q = 0, c = spatialCount[l]!; q < c; q++) {
        const d = spatialDims[l * D + q]!;
        const r = dimRank[s * D + d]!;
        if (r === NONE) continue;
        if (r === MANY) {
          listed = true;
          continue;
        }
        if (!any) {
          for (let q = r0; q < r1; q++) rankTerms[q] = 0;
          any = true;
        }
        const k = rankTerms[r]!;
        if (k === MAX_RANK_TERMS) {
          listed = true;
          continue;
        }
        termStep[r * MAX_RANK_TERMS + k] = dimCoef[s * D + d]! * T[(l + 1) * D + d]!;
        termCount[r * MAX_RANK_TERMS + k] = spatialX[l * D + d]! * spatialY[l * D + d]!;
        rankTerms[r] = k + 1;
      }
    }
    if (listed) return groups * this.listPositions(m, parent, child, s, rw);
    if (!any) return groups;
    for (let r = r0; r < r1; r++) {
      const k = rankTerms[r]!;
      const base = r * MAX_RANK_TERMS;
      if (k === 1) groups *= termCount[base]!;
      else if (k === 2) groups *= gridDistinct(termStep[base]!, termCount[base]!, termStep[base + 1]!, termCount[base + 1]!);
      else if (k > 2) return groups * this.listPositions(m, parent, child, s, rw);
    }
    return groups;
  }

  /** The general case: lists the distinct positions of the merging spatial loops (rare; allocates). */
  private listPositions(m: MappingArrays, parent: number, child: number, s: number, rw: boolean): number {
    const { D } = this;
    const r0 = this.rankStart[s]!;
    let positions: number[][] = [new Array<number>(this.rankStart[s + 1]! - r0).fill(0)];
    for (let l = parent; l < child; l++) {
      if (this.spatialProd[l] === 1 || !(rw ? this.reduction[l] : this.multicast[l])) continue;
      for (let d = 0; d < D; d++) {
        const n = m.spatialX[l * D + d]! * m.spatialY[l * D + d]!;
        if (n === 1 || this.dimRank[s * D + d] === NONE) continue;
        const stride = this.T[(l + 1) * D + d]!;
        const next: number[][] = [];
        for (const p of positions) {
          for (let i = 0; i < n; i++) {
            const q = p.slice();
            for (let k = this.sTermStart[s]!, e = this.sTermStart[s + 1]!; k < e; k++) {
              if (this.sTermDim[k] === d) q[this.sTermRank[k]! - r0]! += this.sTermCoef[k]! * stride * i;
            }
            next.push(q);
          }
        }
        positions = next;
      }
    }
    return new Set(positions.map((p) => p.join(','))).size;
  }

  /**
   * Partition sizes of a read-write data space: the elements one instance of
   * each keeping level ever holds (their first write needs no read). The
   * outermost level holds the whole (padded) tensor. A tensor rank indexed by
   * one dim is covered by disjoint tiles, one per iteration of the loops above
   * on that dim (this is Timeloop's partition size); a rank indexed by several
   * dims (an output with a sliding window) is counted on a bitmap.
   */
  private partitions(m: MappingArrays, s: number): void {
    const { L, DS, tiles } = this;
    this.partition[s] = this.tileSize[s]!;
    const r0 = this.rankStart[s]!, r1 = this.rankStart[s + 1]!;
    for (let l = 1; l < L; l++) {
      if (!m.keep[l * DS + s]) continue;
      const first = this.loopsFrom[l]!, end = this.nLoops;
      for (let r = r0; r < r1; r++) tiles[r] = 1;
      for (let j = first; j < end; j++) {
        const r = this.dimRank[s * this.D + this.loopDim[j]!]!;
        if (r >= 0) tiles[r]! *= this.loopN[j]!;
        else if (r === MANY) {
          for (let k = this.sTermStart[s]!, e = this.sTermStart[s + 1]!; k < e; k++) if (this.sTermDim[k] === this.loopDim[j]) tiles[this.sTermRank[k]!]! *= this.loopN[j]!;
        }
      }
      let held = 1;
      for (let r = r0; r < r1; r++) {
        const ext = this.extent[l * this.R + r]!;
        held *= this.rankMulti[r] && this.movingDims(s, r) > 1 ? this.coveredOnBitmap(s, r, first, ext) : ext * tiles[r]!;
      }
      this.partition[l * DS + s] = held;
    }
  }

  private movingDims(s: number, r: number): number {
    let n = 0;
    for (let k = this.sTermStart[s]!, e = this.sTermStart[s + 1]!; k < e; k++) if (this.sTermRank[k] === r && this.T[this.sTermDim[k]!]! > 1) n++;
    return n;
  }

  /** Positions along rank r covered by a tile of `ext` moved by the loops first … nLoops−1. */
  private coveredOnBitmap(s: number, r: number, first: number, ext: number): number {
    const size = this.extent[r]!;
    if (this.bitmap.length < size) this.bitmap = new Uint8Array(size * 2);
    const bits = this.bitmap;
    bits.fill(0, 0, size);
    bits.fill(1, 0, ext);
    let span = ext;
    for (let j = first; j < this.nLoops; j++) {
      const d = this.loopDim[j]!;
      let step = 0;
      for (let k = this.sTermStart[s]!, e = this.sTermStart[s + 1]!; k < e; k++) if (this.sTermRank[k] === r && this.sTermDim[k] === d) step += this.sTermCoef[k]! * this.loopStride[j]!;
      if (step === 0) continue;
      const n = this.loopN[j]!;
      for (let x = span - 1; x >= 0; x--) {
        if (!bits[x]) continue;
        for (let i = 1; i < n; i++) bits[x + step * i] = 1;
      }
      span += step * (n - 1);
    }
    let count = 0;
    for (let x = 0; x < span; x++) count += bits[x]!;
    return count;
  }

  private cyclesAndEnergy(): void {
    const L = this.L, DS = this.DS;
    const reads = this.reads, fills = this.fills, updates = this.updates, networkWords = this.networkWords, energyPj = this.energyPj;
    const compute = this.computeCycles;
    let cycles = compute;
    let energy = 0;
    const blockSize = this.blockSize, usedInstances = this.usedInstances, readPjs = this.readPj, fillPjs = this.fillPj, updatePjs = this.updatePj;
    const netPj = this.netPj, networkEnergyPj = this.networkEnergyPj, readBw = this.readBw, writeBw = this.writeBw, sharedBw = this.sharedBw;
    const slowdown = this.slowdown, levelCycles = this.levelCycles;
    for (let l = 0; l < L; l++) {
      let rd = 0, wr = 0, net = 0;
      const block = blockSize[l]!;
      const used = usedInstances[l]!;
      const readPj = readPjs[l]!, fillPj = fillPjs[l]!, updatePj = updatePjs[l]!;
      for (let s = 0; s < DS; s++) {
        const i = l * DS + s;
        net += networkWords[i]!;
        const r = reads[i]!, f = fills[i]!, u = updates[i]!;
        if (r + f + u === 0) {
          energyPj[i] = 0;
          continue;
        }
        rd += r;
        wr += f + u;
        const e = (Math.ceil(r / block) * readPj + Math.ceil(f / block) * fillPj + Math.ceil(u / block) * updatePj) * used;
        energyPj[i] = e;
        energy += e;
      }
      const netE = net * netPj[l]!;
      networkEnergyPj[l] = netE;
      energy += netE;
      // Cycles to move the level's words at its bandwidths (equivalently: compute cycles ÷ slowdown).
      let c = compute;
      const byRead = Math.ceil(rd / readBw[l]!), byWrite = Math.ceil(wr / writeBw[l]!), byShared = Math.ceil((rd + wr) / sharedBw[l]!);
      if (byRead > c) c = byRead;
      if (byWrite > c) c = byWrite;
      if (byShared > c) c = byShared;
      slowdown[l] = compute / c;
      levelCycles[l] = c;
      if (c > cycles) cycles = c;
    }
    this.cycles = cycles;
    this.macEnergyPj = this.paddedMacs * this.precision.energyPerMacPj;
    this.leakEnergyPj = this.leakPjPerCycle * cycles;
    this.totalEnergyPj = energy + this.macEnergyPj + this.leakEnergyPj;
    this.utilization = this.realMacs / (cycles * this.macUnits * this.precision.macsPerCycle);
  }
}
