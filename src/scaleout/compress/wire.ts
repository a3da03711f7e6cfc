import type { OpClass } from '../../workload/op.js';
import { adacompBinLength, topkCount, type CompressionMethod, type CompressionOptions } from './compressors.js';
import { bitsFor, denseBits, FLOAT_BITS, sparseBits, totalBits } from './encoding.js';

/**
 * Expected message sizes and codec costs of each compressor for a layer of
 * n gradient elements, for the time model (no gradient data at hand). The
 * fixed-size methods use the same encodings as the compressors; the
 * adaptive ones need an assumption, stated in `WireAssumptions`.
 */
export interface WireAssumptions {
  /** AdaComp compression by layer class: ~40× for convolutions, ~200× for fully connected and recurrent layers (Chen et al., AAAI'18). */
  adacompRatio: { convolution: number; other: number };
  /** Strom: the fraction of elements whose accumulated gradient reaches τ (depends on τ and the model). */
  stromDensity: number;
  /** When set, every method's messages are this many times smaller than 32-bit gradients. */
  ratio?: number;
}

export const DEFAULT_WIRE: WireAssumptions = { adacompRatio: { convolution: 40, other: 200 }, stromDensity: 0.01 };

/** Expected bits of one worker's compressed message for a layer. */
export function expectedMessageBits(method: CompressionMethod, n: number, layerClass: OpClass, o: CompressionOptions, w: WireAssumptions): number {
  if (n === 0) return 0;
  if (method === 'none') return n * FLOAT_BITS;
  if (w.ratio !== undefined) return (n * FLOAT_BITS) / w.ratio;
  switch (method) {
    case 'adacomp':
      return (n * FLOAT_BITS) / (layerClass === 'convolution' ? w.adacompRatio.convolution : w.adacompRatio.other);
    case 'topk':
      return sparseMessageBits(method, n, topkCount(n, o.topkFraction), layerClass, o);
    case 'strom':
      return sparseMessageBits(method, n, Math.round(w.stromDensity * n), layerClass, o);
    case 'onebit':
      return totalBits(denseBits(n, 1, 2 * (o.onebitBucket > 0 ? Math.ceil(n / o.onebitBucket) : 1)));
    case 'qsgd':
      return totalBits(denseBits(n, bitsFor(2 * o.qsgdLevels + 1), Math.ceil(n / o.qsgdBucket)));
  }
}

export type SparseMethod = 'adacomp' | 'topk' | 'strom';

/** Methods that send a subset of the elements (their messages are sparse). */
export function isSparse(method: CompressionMethod): method is SparseMethod {
  return method === 'adacomp' || method === 'topk' || method === 'strom';
}

/** Bits of a sparse method's message carrying k of n elements, in the compressor's own encoding. */
function sparseMessageBits(method: SparseMethod, n: number, k: number, layerClass: OpClass, o: CompressionOptions): number {
  switch (method) {
    case 'adacomp':
      return totalBits(sparseBits(n, k, 1, 1, adacompBinLength(layerClass, o)));
    case 'topk':
      return totalBits(sparseBits(n, k, FLOAT_BITS, 0));
    case 'strom':
      return totalBits(sparseBits(n, k, 1, 0));
  }
}

/**
 * The fraction of a layer's n elements that one worker's message of a
 * sparse method carries: the most elements whose encoding fits the expected
 * message size (for AdaComp, whose size is an assumed ratio, this is how
 * many elements its encoding can carry in it).
 */
export function expectedDensity(method: SparseMethod, n: number, layerClass: OpClass, o: CompressionOptions, w: WireAssumptions): number {
  if (n === 0) return 0;
  const budget = expectedMessageBits(method, n, layerClass, o, w);
  let lo = 0, hi = n;
  while (lo < hi) {
    const k = Math.ceil((lo + hi) / 2);
    if (sparseMessageBits(method, n, k, layerClass, o) <= budget) lo = k;
    else hi = k - 1;
  }
  return lo / n;
}

/**
 * Passes over the 32-bit gradient that encoding makes at memory bandwidth
 * (reads and writes of gradient, residual and output), as we count them:
 * AdaComp accumulates the residual (3) and selects per bin (2); top-k
 * accumulates (3), selects (about 2 for quickselect) and feeds back (1);
 * Strom accumulates and selects in one sweep (3); 1-bit accumulates (3) and
 * quantizes (1); QSGD takes norms (1) and quantizes (1).
 */
export const ENCODE_PASSES: Record<CompressionMethod, number> = { none: 0, adacomp: 5, topk: 6, strom: 3, onebit: 4, qsgd: 2 };

/** Methods whose messages carry every element (decoding touches the whole gradient). */
export function isDense(method: CompressionMethod): boolean {
  return method === 'onebit' || method === 'qsgd' || method === 'none';
}
