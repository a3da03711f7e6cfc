import { AccelmapError } from '../../util/errors.js';
import { ifmapAddress, type Im2col } from '../../sim/systolic/im2col.js';
import type { Dataflow } from '../../sim/systolic/types.js';

/**
 * What SCALE-Sim v2 asks of its three SRAMs, cycle by cycle: its demand
 * matrices, one row per stall-free cycle and one entry per array lane, built
 * here row by row instead of as whole matrices.
 *
 * Per fold (column folds outside, row folds inside), each operand is either
 * - streamed: lane l carries stream step t = x − offset − l in row x of the
 *   fold (the skew that aligns operands inside the array), or
 * - preloaded (the stationary operand of ws and is): row x < rows carries
 *   array row rows − 1 − x on every lane (the bottom row goes in first).
 * A fold's rows include the fill and drain around its stream: T + R + C − 2
 * under os, 2R + C + T − 2 under ws and is (R × C array, T stream steps).
 *
 * Entries are word indices within each operand, in the order SCALE-Sim lists
 * them (lane by lane); -1 entries (unmapped lanes, windows past the ifmap's
 * edge) are left out of the address lists, as SCALE-Sim's buffers skip them.
 */
export interface DemandFold {
  /** Mapped array rows and columns of this fold. */
  rowsUsed: number;
  colsUsed: number;
  /** Rows (stall-free cycles) of the fold. */
  cycles: number;
  /** Stream steps T: the MACs of the fold are rowsUsed · colsUsed · steps. */
  steps: number;
  /** The cycles SCALE-Sim divides by for this fold's compute utilization. */
  utilizationCycles: number;
  /** Entries SCALE-Sim counts as SRAM accesses for this fold. */
  sramIfmap: number;
  sramFilter: number;
  sramOfmap: number;
}

/** A fold's SRAM demand in row x: addresses into `ifmap`/`filter` (returning how many), writes to the ofmap. */
export interface FoldDemand {
  ifmap(x: number, out: Int32Array): number;
  filter(x: number, out: Int32Array): number;
  ofmapWrites(x: number): number;
}

export interface LayerDemand {
  folds: DemandFold[];
  /** The demand of fold `index` (in `folds` order). */
  fold(index: number): FoldDemand;
  /** Longest address list of one row (the lane count of the widest edge). */
  lanes: number;
}

/** Words of the filter matrix: filter n's window position k is word n · window + k, as in SCALE-Sim. */
const filterWord = (g: Im2col, k: number, n: number) => n * g.window + k;

export function layerDemand(g: Im2col, R: number, C: number, dataflow: Dataflow): LayerDemand {
  const P = g.pixels;
  const K = g.window;
  const N = g.filters;
  const [Sr, Sc, T] = dataflow === 'os' ? [P, N, K] : dataflow === 'ws' ? [K, N, P] : [K, P, N];
  const rowFolds = Math.ceil(Sr / R);
  const colFolds = Math.ceil(Sc / C);
  const folds: DemandFold[] = [];
  const origins: { r0: number; c0: number }[] = [];
  for (let fc = 0; fc < colFolds; fc++) {
    for (let fr = 0; fr < rowFolds; fr++) {
      const ru = Math.min(R, Sr - fr * R);
      const cu = Math.min(C, Sc - fc * C);
      origins.push({ r0: fr * R, c0: fc * C });
      folds.push(
        dataflow === 'os'
          ? { rowsUsed: ru, colsUsed: cu, cycles: T + R + C - 2, steps: T, utilizationCycles: T + R + C - 2, sramIfmap: T * ru, sramFilter: T * cu, sramOfmap: ru * cu + R + C }
          : {
              rowsUsed: ru,
              colsUsed: cu,
              cycles: 2 * R + C + T - 2,
              steps: T,
              utilizationCycles: 2 * R + 2 * C + T - 3,
              sramIfmap: dataflow === 'ws' ? T * ru : ru * cu,
              sramFilter: dataflow === 'ws' ? ru * cu : T * ru,
              sramOfmap: T * cu,
            },
      );
    }
  }

  const fold = (index: number): FoldDemand => {
    const { rowsUsed: ru, colsUsed: cu } = folds[index]!;
    const { r0, c0 } = origins[index]!;
    switch (dataflow) {
      case 'os': // rows: pixels, columns: filters, stream: window
        return {
          ifmap: (x, out) => streamed(x, 0, ru, T, out, (l, t) => ifmapAddress(g, r0 + l, t)),
          filter: (x, out) => streamed(x, 0, cu, T, out, (l, t) => filterWord(g, t, c0 + l)),
          // the fold's outputs leave bottom row first, after the stream: row j of the flipped block at T − 1 + j
          ofmapWrites: (x) => streamedCount(x, T - 1 + (R - ru), cu, ru),
        };
      case 'ws': // rows: window, columns: filters, stream: pixels
        return {
          ifmap: (x, out) => streamed(x, R, ru, T, out, (l, t) => ifmapAddress(g, t, r0 + l)),
          filter: (x, out) => preloaded(x, R, ru, cu, out, (l, i) => filterWord(g, r0 + i, c0 + l)),
          ofmapWrites: (x) => streamedCount(x, 2 * R - 1, cu, T),
        };
      case 'is': // rows: window, columns: pixels, stream: filters
        return {
          ifmap: (x, out) => preloaded(x, R, ru, cu, out, (l, i) => ifmapAddress(g, c0 + l, r0 + i)),
          filter: (x, out) => streamed(x, R, ru, T, out, (l, t) => filterWord(g, r0 + l, t)),
          ofmapWrites: (x) => streamedCount(x, 2 * R - 1, cu, T),
        };
    }
  };
  return { folds, fold, lanes: Math.max(R, C) };
}

/** Lanes 0 … lanes − 1, lane l at step x − offset − l while that step is in 0 … steps − 1. */
function streamed(x: number, offset: number, lanes: number, steps: number, out: Int32Array, word: (lane: number, step: number) => number): number {
  const first = Math.max(0, x - offset - steps + 1);
  const last = Math.min(lanes - 1, x - offset);
  let n = 0;
  for (let l = first; l <= last; l++) {
    const a = word(l, x - offset - l);
    if (a >= 0) out[n++] = a;
  }
  return n;
}

function streamedCount(x: number, offset: number, lanes: number, steps: number): number {
  return Math.max(0, Math.min(lanes - 1, x - offset) - Math.max(0, x - offset - steps + 1) + 1);
}

/** Row x < R of a preload carries array row R − 1 − x (when mapped) on lanes 0 … lanes − 1. */
function preloaded(x: number, R: number, rowsUsed: number, lanes: number, out: Int32Array, word: (lane: number, row: number) => number): number {
  const row = R - 1 - x;
  if (row < 0 || row >= rowsUsed) return 0;
  let n = 0;
  for (let l = 0; l < lanes; l++) {
    const a = word(l, row);
    if (a >= 0) out[n++] = a;
  }
  return n;
}

/**
 * The order in which SCALE-Sim's USER-bandwidth buffers fetch each input
 * from DRAM (its prefetch matrices), -1 for padding: the operand matrix cut
 * into the folds of its array dimension (once each, stacked), read along
 * anti-diagonals where the demand is skewed and row by row where it is
 * preloaded.
 */
export function prefetchOrder(g: Im2col, R: number, C: number, dataflow: Dataflow): { ifmap: Int32Array; filter: Int32Array } {
  const P = g.pixels;
  const K = g.window;
  const N = g.filters;
  const ifmap = (p: number, k: number) => ifmapAddress(g, p, k);
  const filter = (k: number, n: number) => filterWord(g, k, n);
  switch (dataflow) {
    case 'os':
      return { ifmap: stacked(P, R, K, true, (t, x) => ifmap(x, t)), filter: stacked(N, C, K, true, (t, x) => filter(t, x)) };
    case 'ws':
      return { ifmap: stacked(K, R, P, true, (t, x) => ifmap(t, x)), filter: stacked(N, C, K, false, (t, x) => filter(t, x)) };
    case 'is':
      return { ifmap: stacked(P, C, K, false, (t, x) => ifmap(x, t)), filter: stacked(K, R, N, true, (t, x) => filter(x, t)) };
  }
}

const MAX_FETCH_ORDER = 2 ** 28;

/**
 * Blocks of `rows` × `lanes` (row t, lane l: word(t, fold · lanes + l), -1
 * past `extent`), one per fold of `extent`, stacked; then flattened row by
 * row, or along anti-diagonals (each from its bottom-left element up).
 */
function stacked(extent: number, lanes: number, rows: number, diagonal: boolean, word: (row: number, index: number) => number): Int32Array {
  const folds = Math.ceil(extent / lanes);
  const M = folds * rows;
  const N = lanes;
  const at = (r: number, c: number) => {
    const x = Math.floor(r / rows) * lanes + c;
    return x < extent ? word(r % rows, x) : -1;
  };
  if (M * N > MAX_FETCH_ORDER) throw new AccelmapError('unsupported', `SCALE-Sim's USER-bandwidth fetch order of this layer has ${M * N} entries; accelmap replays at most 2^28`, {}, 'use InterfaceBandwidth: CALC or --convention accelmap');
  const out = new Int32Array(M * N);
  let i = 0;
  if (!diagonal) {
    for (let r = 0; r < M; r++) for (let c = 0; c < N; c++) out[i++] = at(r, c);
    return out;
  }
  for (let d = 0; d < M + N - 1; d++) {
    for (let r = Math.min(d, M - 1); r >= Math.max(0, d - N + 1); r--) out[i++] = at(r, d - r);
  }
  return out;
}
