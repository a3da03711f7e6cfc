import { findPrecision, type Architecture, type PrecisionMode } from '../arch/types.js';
import type { Problem } from '../problem/types.js';
import { INVALID, MANY, NONE } from '../generated/kernel-contract.js';
import { coveredPositions, distinctPositions, type RankMove, type SpatialMove } from './general-cases.js';
import { kernelViews, leaseKernel, O, P, releaseKernel, type KernelExports, type KernelLease, type Views } from './kernel.js';
import { mappingBytes, type MappingArrays } from './mapping.js';
import { namedWidths } from './widths.js';
import { AccelmapError } from '../util/errors.js';

/** Largest loop bound of a problem (mapping factors are 32-bit integers). */
export const MAX_BOUND = 2 ** 31 - 1;

/** Refuses a problem whose bounds mappings cannot factor (a larger bound could only be wrapped): checked by the model and the mapspace. */
export function checkLoopBounds(problem: Problem): void {
  const huge = problem.bounds.findIndex((b) => !(Number.isSafeInteger(b) && b >= 1 && b <= MAX_BOUND));
  if (huge >= 0) throw new AccelmapError('unsupported', `dimension ${problem.dims[huge]} = ${problem.bounds[huge]} of ${problem.kind} is beyond ${MAX_BOUND}, the largest loop bound the mapper represents`, {}, 'split the layer, or give a smaller size');
}

/**
 * The analytical cost model: (problem, architecture) compiled once into the
 * arrays of a WebAssembly kernel (assembly/costmodel.ts, built by
 * scripts/build.mjs); `evaluate(mapping)` copies the mapping in and counts
 * accesses, cycles and energy without allocating. The result arrays are views
 * of the kernel's memory. It follows Timeloop's conventions (see
 * docs/architecture.md, "mapping/"):
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
 *   units) from the innermost level that keeps it. Under a named precision a
 *   MAC unit of m MACs per cycle is m lanes that run a group of consecutive
 *   iterations together (its innermost loops at the innermost level, whole
 *   while they fit in m, then the largest divisor of the next that fits), and
 *   read each word that group spans once: its lanes share an operand, and
 *   their products on one partial sum are added before it is updated.
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
 * - Word widths: under a named precision a tensor's accesses, tiles and
 *   network words count in the level's words by the tensor's bits (widths.ts);
 *   capacity, bandwidth and access energy then follow the precision.
 * - Energy: per level, data space and action, ceil(accesses per instance ×
 *   width ÷ block size) × energy per block × instances used; plus network words ×
 *   energy per word for every fan-out crossed, MACs × energy per MAC, and
 *   leakage per instance per cycle.
 */
/** Why a mapping is invalid (see assembly/contract.mjs, the table the kernel shares). */
export { INVALID } from '../generated/kernel-contract.js';

export type InvalidCode = (typeof INVALID)[keyof typeof INVALID];

export interface ModelOptions {
  /**
   * Precision mode name; the architecture's first mode by default. A named
   * mode also sets every tensor's word width at every level (widths.ts):
   * operands at its operand bits, partial sums at its accumulator bits.
   */
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
  /**
   * `'accelmap'` (the default) or `'timeloop'`, where Timeloop counts
   * differently (docs/timeloop-convention.md): children below several
   * fan-outs share a read only when their tiles are identical at each fan-out
   * on its own, not across fan-outs; and once a loop that leaves a tile in
   * place (a loop on a dim the data space does not index) has run inside,
   * outer loops that slide the tile re-fetch it whole.
   */
  convention?: Convention;
}

export type Convention = 'accelmap' | 'timeloop';
export const CONVENTIONS: readonly Convention[] = ['accelmap', 'timeloop'];

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

  /** Ranks of data space s are rankStart[s] … rankStart[s+1]−1 (global rank numbers). */
  readonly rankStart: Int32Array;
  /** Tile extent per level and rank: [l*R + r]. */
  readonly extent: Float64Array;
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

  // ---- scalar results of the last evaluation (copied out of the kernel)
  /** Whether the last evaluated mapping was valid. */
  valid = false;
  invalidCode: InvalidCode = INVALID.none;
  /** The level (or the dim, for INVALID.factors) the reason refers to. */
  invalidWhere = -1;
  /** Kept words (capacity), spatial product (fan-out), covered bound (factors), data space (keep), dims seen (order). */
  invalidValue = 0;
  computeCycles = 0;
  cycles = 0;
  paddedMacs = 0;
  /** MAC units the spatial factors use. */
  usedUnits = 0;
  /** Iterations a MAC unit's lanes run together, each operand word read once for all of them (1 without a named precision). */
  laneIterations = 0;
  macEnergyPj = 0;
  leakEnergyPj = 0;
  totalEnergyPj = 0;
  utilization = 0;

  private readonly kernel: KernelExports;
  private readonly lease: KernelLease;
  /** Whether the kernel was given back (`release`). */
  private released = false;
  private readonly v: Views;
  private readonly out: Float64Array;
  /** The kernel's copy of the mapping: temporal, spatialX, spatialY, order, keep as in MappingArrays' buffer. */
  private readonly mappingBytes: Uint8Array;
  /** coveredOnBitmap's list of moves, reused. */
  private readonly rankMoves: RankMove[] = [];

  constructor(problem: Problem, arch: Architecture, options: ModelOptions = {}) {
    this.problem = problem;
    this.arch = arch;
    this.precision = findPrecision(arch, options.precision);
    const L = (this.L = arch.levels.length);
    const D = (this.D = problem.dims.length);
    const DS = (this.DS = problem.dataSpaces.length);
    if (D > 30) throw new Error(`problem ${problem.kind}: ${D} dims; the cost model handles at most 30`);
    checkLoopBounds(problem);
    this.realMacs = problem.bounds.reduce((a, b) => a * b, 1);
    this.macUnits = arch.compute.instances;

    const rankStart: number[] = [];
    let R = 0;
    problem.dataSpaces.forEach((s) => {
      rankStart.push(R);
      R += s.projection.length;
    });
    rankStart.push(R);
    this.R = R;
    const terms: { s: number; d: number; rank: number; coef: number }[] = [];
    problem.dataSpaces.forEach((s, si) =>
      s.projection.forEach((proj, r) =>
        proj.forEach((t) => {
          if (t.coef < 0) throw new Error(`problem ${problem.kind}: negative projection coefficients are not supported`);
          if (t.coef > 0) terms.push({ s: si, d: t.dim, rank: rankStart[si]! + r, coef: t.coef });
        }),
      ),
    );

    this.lease = leaseKernel({
      listPositions: (parent, child, s, rw) => this.listPositions(parent, child, s, rw === 1),
      coveredOnBitmap: (s, r, first, end, ext) => this.coveredOnBitmap(s, r, first, end, ext),
    });
    this.kernel = this.lease.exports;
    const v = (this.v = kernelViews(this.kernel, { L, D, DS, R, terms: terms.length }));
    this.out = v.out;
    this.mappingBytes = new Uint8Array(v.temporal.buffer, v.temporal.byteOffset, mappingBytes(L, D, DS));

    // The problem.
    v.bounds.set(problem.bounds);
    problem.dataSpaces.forEach((s, i) => (v.readWrite[i] = s.readWrite ? 1 : 0));
    v.rankStart.set(rankStart);
    terms.forEach((t, k) => {
      v.sTermDim[k] = t.d;
      v.sTermRank[k] = t.rank;
      v.sTermCoef[k] = t.coef;
    });
    for (let s = 0, k = 0; s <= DS; s++) {
      while (k < terms.length && terms[k]!.s < s) k++;
      v.sTermStart[s] = k;
    }
    v.dimRank.fill(NONE);
    const rankDims = Array.from({ length: R }, () => new Set<number>());
    for (const t of terms) {
      const i = t.s * D + t.d;
      if (v.dimRank[i] === NONE) {
        v.dimRank[i] = t.rank;
        v.dimCoef[i] = t.coef;
      } else if (v.dimRank[i] === t.rank) {
        v.dimCoef[i]! += t.coef;
      } else {
        v.dimRank[i] = MANY;
      }
      rankDims[t.rank]!.add(t.d);
    }
    rankDims.forEach((dims, r) => (v.rankMulti[r] = dims.size > 1 ? 1 : 0));

    // The architecture (fan-out arrays describe the fan-out below level l).
    const lv = arch.levels;
    const fanBelow = (l: number) => (l + 1 < L ? lv[l + 1]!.fanOut : arch.compute.fanOut);
    lv.forEach((x, l) => {
      v.capacity[l] = x.capacityWords / x.multipleBuffering;
      v.blockSize[l] = x.blockSize;
      v.readPj[l] = x.energy.readPj;
      v.fillPj[l] = x.energy.fillPj;
      v.updatePj[l] = x.energy.updatePj;
      v.readBw[l] = x.readBandwidth;
      v.writeBw[l] = x.writeBandwidth;
      v.sharedBw[l] = x.sharedBandwidth;
      const fan = fanBelow(l);
      v.fanX[l] = fan.meshX;
      v.fanY[l] = fan.meshY;
      v.multicast[l] = fan.multicast ? 1 : 0;
      v.reduction[l] = fan.reduction ? 1 : 0;
      v.netPj[l] = fan.energyPerWordPj;
      v.leakPj[l] = x.energy.leakPjPerCycle;
      v.clusters[l] = Math.max(1, Math.floor(x.instances / x.clusterSize));
      problem.dataSpaces.forEach((s, si) => (v.allowed[l * DS + si] = x.dataSpaces === null || x.dataSpaces.includes(s.name) ? 1 : 0));
    });
    const widths = namedWidths(problem, arch, options.precision);
    v.width.set(widths.width);
    v.finalWidth.set(widths.finalWidth);
    v.params[P.macsPerCycle] = this.precision.macsPerCycle;
    v.params[P.energyPerMac] = this.precision.energyPerMacPj;
    v.params[P.leakPjPerCycle] = lv.reduce((sum, x) => sum + x.energy.leakPjPerCycle * x.instances, 0);
    v.params[P.realMacs] = this.realMacs;
    v.params[P.macUnits] = this.macUnits;
    v.params[P.elide] = options.readWriteFills !== 'parent-share' ? 1 : 0;
    v.params[P.timeloop] = options.convention === 'timeloop' ? 1 : 0;
    v.params[P.lanes] = options.precision !== undefined && options.convention !== 'timeloop' ? this.precision.macsPerCycle : 1;

    this.rankStart = v.rankStart;
    this.extent = v.extent;
    this.usedInstances = v.usedInstances;
    this.tileSize = v.tileSize;
    this.partition = v.partition;
    this.reads = v.reads;
    this.fills = v.fills;
    this.updates = v.updates;
    this.networkWords = v.networkWords;
    this.energyPj = v.energyPj;
    this.slowdown = v.slowdown;
    this.levelCycles = v.levelCycles;
    this.networkEnergyPj = v.networkEnergyPj;
  }

  /** Gives the kernel back to this thread's next model (a search's model, once it is done): this one must not evaluate again. */
  release(): void {
    if (this.released) return;
    this.released = true;
    releaseKernel(this.lease);
  }

  /**
   * Evaluates a mapping; returns whether it is valid. On success the result
   * fields and arrays describe it; on failure `invalidCode`, `invalidWhere`
   * and `invalidValue` say why.
   */
  evaluate(m: MappingArrays): boolean {
    if (this.released) throw new Error('CostModel.evaluate after release');
    this.mappingBytes.set(m.bytes);
    const code = this.kernel.evaluate();
    const out = this.out;
    this.invalidCode = code as InvalidCode;
    if (code !== INVALID.none) {
      this.invalidWhere = out[O.invalidWhere]!;
      this.invalidValue = out[O.invalidValue]!;
      return (this.valid = false);
    }
    this.computeCycles = out[O.computeCycles]!;
    this.cycles = out[O.cycles]!;
    this.paddedMacs = out[O.paddedMacs]!;
    this.usedUnits = out[O.usedUnits]!;
    this.laneIterations = out[O.laneIterations]!;
    this.macEnergyPj = out[O.macEnergyPj]!;
    this.leakEnergyPj = out[O.leakEnergyPj]!;
    this.totalEnergyPj = out[O.totalEnergyPj]!;
    this.utilization = out[O.utilization]!;
    return (this.valid = true);
  }

  /**
   * The kernel's general case of counting multicast groups (three or more
   * merging spatial loops on a rank, or a dim indexing several ranks of the
   * data space): the merging spatial loops between `parent` and `child`,
   * read out of the kernel's arrays, for distinctPositions.
   */
  private listPositions(parent: number, child: number, s: number, rw: boolean): number {
    const { D, v } = this;
    const r0 = v.rankStart[s]!, ranks = v.rankStart[s + 1]! - r0;
    const moves: SpatialMove[] = [];
    for (let l = parent; l < child; l++) {
      if (v.spatialProd[l] === 1 || !(rw ? v.reduction[l] : v.multicast[l])) continue;
      for (let d = 0; d < D; d++) {
        const n = v.spatialX[l * D + d]! * v.spatialY[l * D + d]!;
        if (n === 1 || v.dimRank[s * D + d] === NONE) continue;
        const steps = new Array<number>(ranks).fill(0);
        for (let k = v.sTermStart[s]!, e = v.sTermStart[s + 1]!; k < e; k++) if (v.sTermDim[k] === d) steps[v.sTermRank[k]! - r0]! += v.sTermCoef[k]! * v.T[(l + 1) * D + d]!;
        moves.push({ n, steps });
      }
    }
    return distinctPositions(ranks, moves);
  }

  /**
   * The kernel's partition of a read-write rank indexed by several moving dims
   * (an output with a sliding window): the temporal loops first … end − 1 as
   * moves along rank r, for coveredPositions.
   */
  private coveredOnBitmap(s: number, r: number, first: number, end: number, ext: number): number {
    const v = this.v;
    const moves = this.rankMoves;
    moves.length = 0;
    for (let j = first; j < end; j++) {
      const d = v.loopDim[j]!;
      let step = 0;
      for (let k = v.sTermStart[s]!, e = v.sTermStart[s + 1]!; k < e; k++) if (v.sTermRank[k] === r && v.sTermDim[k] === d) step += v.sTermCoef[k]! * v.loopStride[j]!;
      moves.push({ n: v.loopN[j]!, step });
    }
    return coveredPositions(ext, moves);
  }
}
