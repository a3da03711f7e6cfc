// The cost model's evaluation (src/mapping/model.ts), compiled to WebAssembly
// with AssemblyScript. The host (src/mapping/kernel.ts) lays out every array
// below in this module's memory and sets the exported globals to their
// addresses and the sizes L, D, DS, R; it compiles a problem and an
// architecture into the input arrays once, then for every mapping writes the
// mapping's arrays and calls evaluate(); the results are read back from the
// result arrays. The conventions (Timeloop's) are documented on CostModel in
// src/mapping/model.ts and in docs/architecture.md. The kernel allocates
// nothing.
//
// The two rare general cases (distinct positions of three or more merging
// spatial loops, and partitions of a sliding-window rank) are left to the host.

@external("host", "listPositions")
declare function hostListPositions(parent: i32, child: i32, s: i32, rw: i32): f64;

@external("host", "coveredOnBitmap")
declare function hostCoveredOnBitmap(s: i32, r: i32, first: i32, end: i32, ext: f64): f64;

// Invalid codes, scalar indices, NONE/MANY: one table shared with the host (assembly/contract.mjs).
import {
  INVALID_FACTORS, INVALID_FAN_OUT, INVALID_CAPACITY, INVALID_KEEP, INVALID_ORDER,
  P_MACS_PER_CYCLE, P_ENERGY_PER_MAC, P_LEAK_PJ_PER_CYCLE, P_REAL_MACS, P_MAC_UNITS, P_ELIDE, P_TIMELOOP, P_LANES,
  O_INVALID_CODE, O_INVALID_WHERE, O_INVALID_VALUE, O_COMPUTE_CYCLES, O_CYCLES, O_PADDED_MACS, O_USED_UNITS,
  O_MAC_ENERGY_PJ, O_LEAK_ENERGY_PJ, O_TOTAL_ENERGY_PJ, O_UTILIZATION, O_LOOPS, O_LANE_ITERATIONS,
  NONE, MANY, MAX_RANK_TERMS,
} from './generated/contract';

/** Where the host may place the arrays: after the kernel's static data. */
export const heapBase: usize = __heap_base;

/** Levels, dims, data spaces and tensor ranks (all data spaces). */
export let L: i32 = 0;
export let D: i32 = 0;
export let DS: i32 = 0;
export let R: i32 = 0;

// ---- mapping (written by the host before each evaluation), contiguous as in MappingArrays' buffer
// (src/mapping/mapping.ts), so that the host copies a mapping in one go
export let temporal = changetype<StaticArray<i32>>(0);
export let spatialX = changetype<StaticArray<i32>>(0);
export let spatialY = changetype<StaticArray<i32>>(0);
export let order = changetype<StaticArray<i8>>(0);
export let keep = changetype<StaticArray<u8>>(0);

// ---- compiled problem
export let params = changetype<StaticArray<f64>>(0);
export let bounds = changetype<StaticArray<f64>>(0);
export let readWrite = changetype<StaticArray<u8>>(0);
export let rankStart = changetype<StaticArray<i32>>(0);
export let sTermStart = changetype<StaticArray<i32>>(0);
export let sTermDim = changetype<StaticArray<i32>>(0);
export let sTermRank = changetype<StaticArray<i32>>(0);
export let sTermCoef = changetype<StaticArray<f64>>(0);
export let dimRank = changetype<StaticArray<i32>>(0);
export let dimCoef = changetype<StaticArray<f64>>(0);
export let rankMulti = changetype<StaticArray<u8>>(0);

// ---- compiled architecture
export let capacity = changetype<StaticArray<f64>>(0);
export let blockSize = changetype<StaticArray<f64>>(0);
export let readPj = changetype<StaticArray<f64>>(0);
export let fillPj = changetype<StaticArray<f64>>(0);
export let updatePj = changetype<StaticArray<f64>>(0);
export let readBw = changetype<StaticArray<f64>>(0);
export let writeBw = changetype<StaticArray<f64>>(0);
export let sharedBw = changetype<StaticArray<f64>>(0);
export let fanX = changetype<StaticArray<f64>>(0);
export let fanY = changetype<StaticArray<f64>>(0);
export let multicast = changetype<StaticArray<u8>>(0);
export let reduction = changetype<StaticArray<u8>>(0);
export let netPj = changetype<StaticArray<f64>>(0);
/** Leakage per instance per cycle, pJ (Timeloop's convention charges the instances used). */
export let leakPj = changetype<StaticArray<f64>>(0);
/** Clusters per level (instances ÷ cluster size): Timeloop's convention charges an access once per utilized cluster. */
export let clusters = changetype<StaticArray<f64>>(0);
export let allowed = changetype<StaticArray<u8>>(0);
/** [l*DS+s]: data space s's word width at level l in the level's words (its bits ÷ the level's word bits; 1 when no precision is named). Scales capacity, bandwidth and access energy. */
export let width = changetype<StaticArray<f64>>(0);
/** [s]: a read-write data space's final values at the outermost level in its words (partial sums spilled there keep width[s]). */
export let finalWidth = changetype<StaticArray<f64>>(0);

// ---- scratch (reused by every evaluation)
/** Tile dims: T[l*D+d] = product of every factor of d at levels ≥ l; row L is all ones. */
export let T = changetype<StaticArray<f64>>(0);
/** The padded bounds (T's row 0) the level-0 tiles were last computed for. */
export let padded = changetype<StaticArray<f64>>(0);
/** [l*D + d]: the tile of dim d inside level l's temporal loop on it (T one level down × the spatial factors). */
export let strides = changetype<StaticArray<f64>>(0);
/** Tile extent per level and rank: [l*R + r]. */
export let extent = changetype<StaticArray<f64>>(0);
/** Per rank: how far the inner loops rewind it when an outer loop steps (fillsOf); per-rank products (partitions). */
export let W = changetype<StaticArray<f64>>(0);
export let tiles = changetype<StaticArray<f64>>(0);
/** Spatial terms per rank for counting distinct child positions: [r*MAX_RANK_TERMS + k]. */
export let rankTerms = changetype<StaticArray<i32>>(0);
export let termStep = changetype<StaticArray<f64>>(0);
export let termCount = changetype<StaticArray<f64>>(0);
/** Temporal loops with more than one iteration, innermost first: dim, iterations, stride. */
export let loopDim = changetype<StaticArray<i32>>(0);
export let loopN = changetype<StaticArray<f64>>(0);
export let loopStride = changetype<StaticArray<f64>>(0);
/** Loops at levels ≥ l: the loops above level l are loopsFrom[l] … (the number of loops) − 1. */
export let loopsFrom = changetype<StaticArray<i32>>(0);
/** Per loop: (n − 1) × the iterations of every loop outside it = how often it steps. */
export let loopSteps = changetype<StaticArray<f64>>(0);
/** Per dim: how far the MAC unit's lane group spans it (laneGroup), in problem coordinates. */
export let laneSpan = changetype<StaticArray<f64>>(0);
/** Per level: the product of its spatial factors. */
export let spatialProd = changetype<StaticArray<f64>>(0);
/** Dims with a spatial factor > 1 at level l: spatialDims[l*D … l*D + spatialCount[l]). */
export let spatialDims = changetype<StaticArray<i32>>(0);
export let spatialCount = changetype<StaticArray<i32>>(0);
/** Instances of level l the spatial factors use; [L]: MAC units. */
export let usedInstances = changetype<StaticArray<f64>>(0);

// ---- results
export let out = changetype<StaticArray<f64>>(0);
export let tileSize = changetype<StaticArray<f64>>(0);
export let partition = changetype<StaticArray<f64>>(0);
export let reads = changetype<StaticArray<f64>>(0);
export let fills = changetype<StaticArray<f64>>(0);
export let updates = changetype<StaticArray<f64>>(0);
export let networkWords = changetype<StaticArray<f64>>(0);
export let energyPj = changetype<StaticArray<f64>>(0);
export let slowdown = changetype<StaticArray<f64>>(0);
export let levelCycles = changetype<StaticArray<f64>>(0);
export let networkEnergyPj = changetype<StaticArray<f64>>(0);

function fail(code: i32, where: i32, value: f64): i32 {
  unchecked((out[O_INVALID_CODE] = <f64>code));
  unchecked((out[O_INVALID_WHERE] = <f64>where));
  unchecked((out[O_INVALID_VALUE] = value));
  return code;
}

/** Distinct values of a·i + b·j for 0 ≤ i < n, 0 ≤ j < k (a, b > 0): with g = gcd(a, b), two pairs collide exactly when they differ by (b/g, −a/g), so the distinct values are the pairs without such a predecessor. */
export function gridDistinct(a: f64, n: f64, b: f64, k: f64): f64 {
  let x = <i64>a, y = <i64>b;
  while (y != 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  const g = <f64>x;
  return n * k - Math.max(0, n - b / g) * Math.max(0, k - a / g);
}

/** Evaluates the mapping in the mapping arrays: 0 when valid, else the invalid code (the reason is in `out`). */
export function evaluate(): i32 {
  const allDims = (1 << D) - 1;
  let nLoops = 0;
  let iters: f64 = 1;
  for (let l = L - 1; l >= 0; l--) {
    const row = l * D;
    // Tile dims and fan-outs, dim by dim; then the loops in the level's order, innermost first
    // (a loop's stride is its dim's tile inside it). Two passes: in one, the dims' order would
    // make every address depend on a load.
    // Products of factors in f64: in i32 they could wrap around.
    let sx: f64 = 1, sy: f64 = 1;
    let count = 0, seen = 0, outside = 0;
    for (let d = 0; d < D; d++) {
      const i = row + d;
      const x = <f64>unchecked(spatialX[i]), y = <f64>unchecked(spatialY[i]);
      sx *= x;
      sy *= y;
      const xy = x * y;
      if (xy != 1) unchecked((spatialDims[row + count++] = d));
      const stride = unchecked(T[i + D]) * xy;
      unchecked((strides[i] = stride));
      unchecked((T[i] = stride * <f64>unchecked(temporal[i])));
    }
    for (let k = D - 1; k >= 0; k--) {
      const d = <i32>unchecked(order[row + k]);
      seen |= 1 << d;
      outside |= d & ~31; // a shift takes its count mod 32: dims out of 0 … 31 are caught here
      const i = row + d;
      const n = unchecked(temporal[i]);
      unchecked((loopDim[nLoops] = d));
      unchecked((loopN[nLoops] = <f64>n));
      unchecked((loopStride[nLoops] = unchecked(strides[i])));
      nLoops += (1 - n) >>> 31;
      iters *= <f64>n;
    }
    if (seen != allDims || outside != 0) return fail(INVALID_ORDER, l, <f64>seen);
    if (sx > unchecked(fanX[l])) return fail(INVALID_FAN_OUT, l, sx);
    if (sy > unchecked(fanY[l])) return fail(INVALID_FAN_OUT, l, sy);
    unchecked((spatialCount[l] = count));
    unchecked((spatialProd[l] = sx * sy));
    for (let s = 0; s < DS; s++) {
      const k = unchecked(keep[l * DS + s]);
      if ((k && !unchecked(allowed[l * DS + s])) || (l == 0 && !k)) return fail(INVALID_KEEP, l, <f64>s);
    }
    unchecked((loopsFrom[l] = nLoops));
  }
  for (let d = 0; d < D; d++) if (unchecked(T[d]) < unchecked(bounds[d])) return fail(INVALID_FACTORS, d, unchecked(T[d]));
  unchecked((out[O_LOOPS] = <f64>nLoops));
  unchecked((loopsFrom[L] = 0));
  let outer: f64 = 1;
  for (let j = nLoops - 1; j >= 0; j--) {
    const n = unchecked(loopN[j]);
    unchecked((loopSteps[j] = (n - 1) * outer));
    outer *= n;
  }
  let used: f64 = 1;
  for (let l = 0; l < L; l++) {
    unchecked((usedInstances[l] = used));
    used *= unchecked(spatialProd[l]);
  }
  unchecked((usedInstances[L] = used));
  const computeCycles = Math.ceil(iters / unchecked(params[P_MACS_PER_CYCLE]));
  unchecked((out[O_COMPUTE_CYCLES] = computeCycles));
  const group = laneGroup();
  unchecked((out[O_LANE_ITERATIONS] = group));
  unchecked((out[O_PADDED_MACS] = iters * used));
  unchecked((out[O_USED_UNITS] = used));

  // Tiles of the kept data spaces (and of every data space at level 0: the whole padded tensors,
  // unchanged while the padded bounds are); capacity.
  let samePadding = true;
  for (let d = 0; d < D; d++) samePadding = samePadding && unchecked(T[d]) == unchecked(padded[d]);
  for (let l = samePadding ? 1 : 0; l < L; l++) {
    let kept: f64 = 0;
    for (let s = 0; s < DS; s++) {
      const i = l * DS + s;
      if (unchecked(keep[i]) || l == 0) {
        const size = box(s, l);
        unchecked((tileSize[i] = size));
        kept += size * unchecked(width[i]);
      } else {
        unchecked((tileSize[i] = 0));
      }
    }
    if (kept > unchecked(capacity[l])) return fail(INVALID_CAPACITY, l, kept);
    if (l == 0) for (let d = 0; d < D; d++) unchecked((padded[d] = unchecked(T[d])));
  }

  for (let i = 0, n = L * DS; i < n; i++) {
    unchecked((reads[i] = 0));
    unchecked((fills[i] = 0));
    unchecked((updates[i] = 0));
    unchecked((networkWords[i] = 0));
  }
  const elide = unchecked(params[P_ELIDE]) != 0;
  timeloop = unchecked(params[P_TIMELOOP]) != 0;
  for (let s = 0; s < DS; s++) {
    const rw = unchecked(readWrite[s]) == 1;
    if (rw) partitions(s, nLoops);
    let parent = 0;
    for (let child = 1; child <= L; child++) {
      if (child < L && !unchecked(keep[child * DS + s])) continue;
      // Fills per child instance; the MACs take one word per iteration (Timeloop's convention, below a
      // fan-out that spreads them: a MAC keeps its word while the loops leave it in place).
      // Under a named precision the MAC unit's lanes read a word once per lane group (laneGroup).
      const childFills = child < L ? fillsOf(child, s, nLoops) : timeloop && spreadBelow(parent) ? fillsOf(L, s, nLoops) : group == 1 ? iters : (iters / group) * laneWords(s);
      // Children spread over fan-outs (more instances than the parent) may share words.
      const accesses = unchecked(usedInstances[child]) == unchecked(usedInstances[parent]) ? childFills : childFills * groups(parent, child, s, rw);
      const pi = parent * DS + s;
      if (rw) {
        unchecked((updates[pi] = accesses));
        unchecked((reads[pi] = accesses - unchecked(partition[pi])));
      } else {
        unchecked((reads[pi] = accesses));
      }
      if (child < L) {
        const ci = child * DS + s;
        unchecked((fills[ci] = rw && elide ? childFills - unchecked(partition[ci]) : childFills));
      }
      const words = (accesses + (rw ? unchecked(reads[pi]) : 0)) * unchecked(usedInstances[parent]);
      for (let l = parent; l < child; l++) unchecked((networkWords[l * DS + s] += words));
      parent = child;
    }
  }

  cyclesAndEnergy(computeCycles);
  unchecked((out[O_INVALID_CODE] = 0));
  return 0;
}

/**
 * The iterations a MAC unit's lanes run together (1 with one lane): its
 * innermost temporal loops at the innermost storage level, whole while their
 * product stays within the lanes (params[P_LANES]), then the largest divisor
 * of the next loop's iterations that still fits. Sets laneSpan: per dim, how
 * far the group spans it (left as it was with one lane: read only for a group > 1).
 */
function laneGroup(): f64 {
  const lanes = unchecked(params[P_LANES]);
  if (lanes <= 1) return 1;
  for (let d = 0; d < D; d++) unchecked((laneSpan[d] = 0));
  let group: f64 = 1;
  for (let j = 0, end = unchecked(loopsFrom[L - 1]); j < end && group < lanes; j++) {
    const n = unchecked(loopN[j]);
    let take = n;
    if (group * n > lanes) {
      take = Math.floor(lanes / group);
      while (take > 1 && n % take != 0) take--;
    }
    const d = unchecked(loopDim[j]);
    unchecked((laneSpan[d] += (take - 1) * unchecked(loopStride[j])));
    group *= take;
    if (take < n) break;
  }
  return group;
}

/** Words of data space s one lane group reads: the box its iterations span, per rank 1 + Σ coef·span. Terms are sorted by rank. */
function laneWords(s: i32): f64 {
  let words: f64 = 1, ext: f64 = 1;
  let r = -1;
  for (let k = unchecked(sTermStart[s]), k1 = unchecked(sTermStart[s + 1]); k < k1; k++) {
    const rank = unchecked(sTermRank[k]);
    if (rank != r) {
      words *= ext;
      ext = 1;
      r = rank;
    }
    ext += unchecked(sTermCoef[k]) * unchecked(laneSpan[unchecked(sTermDim[k])]);
  }
  return words * ext;
}

/** Size of data space s's tile at level l; writes each rank's extent to extent[l*R + r]. Terms are sorted by rank. */
function box(s: i32, l: i32): f64 {
  const r1 = unchecked(rankStart[s + 1]);
  const offset = l * D, outOffset = l * R;
  let k = unchecked(sTermStart[s]);
  const k1 = unchecked(sTermStart[s + 1]);
  let size: f64 = 1;
  for (let r = unchecked(rankStart[s]); r < r1; r++) {
    let e: f64 = 1;
    for (; k < k1 && unchecked(sTermRank[k]) == r; k++) e += unchecked(sTermCoef[k]) * (unchecked(T[offset + unchecked(sTermDim[k])]) - 1);
    unchecked((extent[outOffset + r] = e));
    size *= e;
  }
  return size;
}

let moveRank: i32 = -1;
let moveDelta: f64 = 0;
/** Timeloop's counting convention (params[P_TIMELOOP]), read once per evaluation by evaluate(). */
let timeloop = false;

/**
 * Fills per instance of level `child` for data space s: the first tile plus
 * the delta at every step of the temporal loops above it (loops first … end).
 * Walking the loops from the innermost out, W[r] accumulates how far the inner
 * loops rewind rank r when an outer loop steps.
 */
function fillsOf(child: i32, s: i32, end: i32): f64 {
  const sD = s * D;
  const r0 = unchecked(rankStart[s]), r1 = unchecked(rankStart[s + 1]);
  // The MACs (child L) hold one word of each data space.
  const ext = child * R;
  const full = child == L ? 1 : unchecked(tileSize[child * DS + s]);
  const first = unchecked(loopsFrom[child]);
  for (let r = r0; r < r1; r++) unchecked((W[r] = 0));
  // Ranks with W ≠ 0, in the order they became non-zero (W never returns to 0).
  let nonzero = 0, firstW = -1, secondW = -1;
  let result = full;
  // The innermost loop's slide: rank for a forward slide, −2 − rank backward, −1 none.
  let slide = -1;
  // Timeloop's convention: once a loop that leaves the tile in place has run inside, no slide is credited.
  let stillInside = false;
  for (let j = first; j < end; j++) {
    const d = unchecked(loopDim[j]);
    const r = unchecked(dimRank[sD + d]);
    let moved = nonzero;
    let rank = -1;
    let delta: f64 = 0;
    if (r >= 0) {
      const w = unchecked(W[r]);
      const dr = unchecked(dimCoef[sD + d]) * unchecked(loopStride[j]) - w;
      if (w != 0) moved--;
      if (dr != 0) {
        moved++;
        rank = r;
        delta = dr;
      } else if (moved == 1) {
        rank = w != 0 ? (firstW == r ? secondW : firstW) : firstW;
        delta = -unchecked(W[rank]);
      }
    } else if (r == NONE) {
      if (moved == 1) {
        rank = firstW;
        delta = -unchecked(W[rank]);
      }
    } else {
      moved = multiMoves(s, d, unchecked(loopStride[j]));
      rank = moveRank;
      delta = moveDelta;
    }
    if (moved != 0) {
      let cost = full;
      if (moved == 1) {
        const a = delta > 0 ? delta : -delta;
        const e = child == L ? 1 : unchecked(extent[ext + rank]);
        if (a < e) {
          const dir = delta > 0 ? rank : -2 - rank;
          if (j == first) slide = dir;
          if ((slide == -1 || slide == dir) && !stillInside) cost = (a * full) / e;
        }
      }
      result += unchecked(loopSteps[j]) * cost;
    }
    if (timeloop && r == NONE) stillInside = true;
    // From now on this loop rewinds (n − 1) strides whenever an outer loop steps.
    if (r >= 0) {
      if (unchecked(W[r]) == 0) {
        nonzero++;
        if (firstW < 0) firstW = r;
        else secondW = r;
      }
      unchecked((W[r] += unchecked(dimCoef[sD + d]) * unchecked(loopStride[j]) * (unchecked(loopN[j]) - 1)));
    } else if (r == MANY) {
      const k1 = unchecked(sTermStart[s + 1]);
      const rewind = (unchecked(loopN[j]) - 1) * unchecked(loopStride[j]);
      for (let k = unchecked(sTermStart[s]); k < k1; k++) {
        if (unchecked(sTermDim[k]) != d) continue;
        const rr = unchecked(sTermRank[k]);
        if (unchecked(W[rr]) == 0) {
          nonzero++;
          if (firstW < 0) firstW = rr;
          else secondW = rr;
        }
        unchecked((W[rr] += unchecked(sTermCoef[k]) * rewind));
      }
    }
  }
  return result;
}

/** Whether a fan-out between level `parent` and the MACs uses more than one child. */
function spreadBelow(parent: i32): bool {
  for (let l = parent; l < L; l++) if (unchecked(spatialProd[l]) > 1) return true;
  return false;
}

/** A dim in several ranks of one data space: counts the ranks that move at its step. */
function multiMoves(s: i32, d: i32, stride: f64): i32 {
  const r0 = unchecked(rankStart[s]), r1 = unchecked(rankStart[s + 1]);
  for (let r = r0; r < r1; r++) unchecked((tiles[r] = -unchecked(W[r])));
  for (let k = unchecked(sTermStart[s]), e = unchecked(sTermStart[s + 1]); k < e; k++) {
    if (unchecked(sTermDim[k]) == d) unchecked((tiles[unchecked(sTermRank[k])] += unchecked(sTermCoef[k]) * stride));
  }
  let moved = 0;
  moveRank = -1;
  moveDelta = 0;
  for (let r = r0; r < r1; r++) {
    if (unchecked(tiles[r]) != 0) {
      moved++;
      moveRank = r;
      moveDelta = unchecked(tiles[r]);
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
 * loop: its factor; two: a·i + b·j over a grid; more: listed by the host).
 */
function groups(parent: i32, child: i32, s: i32, rw: bool): f64 {
  if (!timeloop) return groupsOver(parent, child, s, rw);
  let result: f64 = 1;
  for (let l = parent; l < child; l++) if (unchecked(spatialProd[l]) != 1) result *= groupsOver(l, l + 1, s, rw);
  return result;
}

/** Distinct positions of the merging spatial loops of fan-outs first … last − 1, counted together. */
function groupsOver(first: i32, last: i32, s: i32, rw: bool): f64 {
  const r0 = unchecked(rankStart[s]), r1 = unchecked(rankStart[s + 1]);
  let result: f64 = 1;
  let any = false;
  let listed = false;
  for (let l = first; l < last; l++) {
    const prod = unchecked(spatialProd[l]);
    if (prod == 1) continue;
    if (!(rw ? unchecked(reduction[l]) : unchecked(multicast[l]))) {
      result *= prod;
      continue;
    }
    for (let q = 0, c = unchecked(spatialCount[l]); q < c; q++) {
      const d = unchecked(spatialDims[l * D + q]);
      const r = unchecked(dimRank[s * D + d]);
      if (r == NONE) continue;
      if (r == MANY) {
        listed = true;
        continue;
      }
      if (!any) {
        for (let x = r0; x < r1; x++) unchecked((rankTerms[x] = 0));
        any = true;
      }
      const k = unchecked(rankTerms[r]);
      if (k == MAX_RANK_TERMS) {
        listed = true;
        continue;
      }
      unchecked((termStep[r * MAX_RANK_TERMS + k] = unchecked(dimCoef[s * D + d]) * unchecked(T[(l + 1) * D + d])));
      unchecked((termCount[r * MAX_RANK_TERMS + k] = <f64>unchecked(spatialX[l * D + d]) * <f64>unchecked(spatialY[l * D + d])));
      unchecked((rankTerms[r] = k + 1));
    }
  }
  if (listed) return result * hostListPositions(first, last, s, rw ? 1 : 0);
  if (!any) return result;
  for (let r = r0; r < r1; r++) {
    const k = unchecked(rankTerms[r]);
    const base = r * MAX_RANK_TERMS;
    if (k == 1) result *= unchecked(termCount[base]);
    else if (k == 2) result *= gridDistinct(unchecked(termStep[base]), unchecked(termCount[base]), unchecked(termStep[base + 1]), unchecked(termCount[base + 1]));
    else if (k > 2) return result * hostListPositions(first, last, s, rw ? 1 : 0);
  }
  return result;
}

/**
 * Partition sizes of read-write data space s: the elements one instance of
 * each keeping level ever holds (their first write needs no read). The
 * outermost level holds the whole (padded) tensor. A tensor rank indexed by
 * one dim is covered by disjoint tiles, one per iteration of the loops above
 * on that dim (this is Timeloop's partition size); a rank indexed by several
 * moving dims (an output with a sliding window) is counted on a bitmap by the host.
 */
function partitions(s: i32, end: i32): void {
  unchecked((partition[s] = unchecked(tileSize[s])));
  const r0 = unchecked(rankStart[s]), r1 = unchecked(rankStart[s + 1]);
  for (let l = 1; l < L; l++) {
    if (!unchecked(keep[l * DS + s])) continue;
    const first = unchecked(loopsFrom[l]);
    for (let r = r0; r < r1; r++) unchecked((tiles[r] = 1));
    for (let j = first; j < end; j++) {
      const d = unchecked(loopDim[j]);
      const r = unchecked(dimRank[s * D + d]);
      if (r >= 0) unchecked((tiles[r] *= unchecked(loopN[j])));
      else if (r == MANY) {
        for (let k = unchecked(sTermStart[s]), e = unchecked(sTermStart[s + 1]); k < e; k++) {
          if (unchecked(sTermDim[k]) == d) unchecked((tiles[unchecked(sTermRank[k])] *= unchecked(loopN[j])));
        }
      }
    }
    let held: f64 = 1;
    for (let r = r0; r < r1; r++) {
      const ext = unchecked(extent[l * R + r]);
      held *= unchecked(rankMulti[r]) && movingDims(s, r) > 1 ? hostCoveredOnBitmap(s, r, first, end, ext) : ext * unchecked(tiles[r]);
    }
    unchecked((partition[l * DS + s] = held));
  }
}

function movingDims(s: i32, r: i32): i32 {
  let n = 0;
  for (let k = unchecked(sTermStart[s]), e = unchecked(sTermStart[s + 1]); k < e; k++) {
    if (unchecked(sTermRank[k]) == r && unchecked(T[unchecked(sTermDim[k])]) > 1) n++;
  }
  return n;
}

function cyclesAndEnergy(compute: f64): void {
  let cycles = compute;
  let energy: f64 = 0;
  for (let l = 0; l < L; l++) {
    let rd: f64 = 0, wr: f64 = 0, net: f64 = 0;
    const block = unchecked(blockSize[l]);
    // Timeloop assumes the used instances spread over every cluster: min(used, clusters) clusters are accessed.
    const used = timeloop ? Math.min(unchecked(usedInstances[l]), unchecked(clusters[l])) : unchecked(usedInstances[l]);
    const rPj = unchecked(readPj[l]), fPj = unchecked(fillPj[l]), uPj = unchecked(updatePj[l]);
    for (let s = 0; s < DS; s++) {
      const i = l * DS + s;
      // Words crossing the fan-out below l are as wide as the child's (the MACs': the innermost level's).
      net += unchecked(networkWords[i]) * unchecked(width[l + 1 < L ? i + DS : i]);
      const r0 = unchecked(reads[i]), f0 = unchecked(fills[i]), u0 = unchecked(updates[i]);
      if (r0 + f0 + u0 == 0) {
        unchecked((energyPj[i] = 0));
        continue;
      }
      // In level words: accesses × width; at the outermost level a read-write data space's updates are
      // its spilled partial sums (as many as its reads) at width and its final values at finalWidth.
      const w = unchecked(width[i]), fw = l == 0 ? unchecked(finalWidth[s]) : w;
      const r = r0 * w, f = f0 * w, u = fw == w ? u0 * w : r0 * w + (u0 - r0) * fw;
      rd += r;
      wr += f + u;
      const e = (Math.ceil(r / block) * rPj + Math.ceil(f / block) * fPj + Math.ceil(u / block) * uPj) * used;
      unchecked((energyPj[i] = e));
      energy += e;
    }
    const netE = net * unchecked(netPj[l]);
    unchecked((networkEnergyPj[l] = netE));
    energy += netE;
    // Cycles to move the level's words at its bandwidths (equivalently: compute cycles ÷ slowdown).
    let c = compute;
    const byRead = Math.ceil(rd / unchecked(readBw[l])), byWrite = Math.ceil(wr / unchecked(writeBw[l])), byShared = Math.ceil((rd + wr) / unchecked(sharedBw[l]));
    if (byRead > c) c = byRead;
    if (byWrite > c) c = byWrite;
    if (byShared > c) c = byShared;
    unchecked((slowdown[l] = compute / c));
    unchecked((levelCycles[l] = c));
    if (c > cycles) cycles = c;
  }
  const macEnergy = unchecked(out[O_PADDED_MACS]) * unchecked(params[P_ENERGY_PER_MAC]);
  let leakPerCycle = unchecked(params[P_LEAK_PJ_PER_CYCLE]);
  if (timeloop) {
    leakPerCycle = 0;
    for (let l = 0; l < L; l++) leakPerCycle += unchecked(leakPj[l]) * unchecked(usedInstances[l]);
  }
  const leakEnergy = leakPerCycle * cycles;
  unchecked((out[O_CYCLES] = cycles));
  unchecked((out[O_MAC_ENERGY_PJ] = macEnergy));
  unchecked((out[O_LEAK_ENERGY_PJ] = leakEnergy));
  unchecked((out[O_TOTAL_ENERGY_PJ] = energy + macEnergy + leakEnergy));
  unchecked((out[O_UTILIZATION] = unchecked(params[P_REAL_MACS]) / (cycles * unchecked(params[P_MAC_UNITS]) * unchecked(params[P_MACS_PER_CYCLE]))));
}
