import type { OpClass } from '../../workload/op.js';
import { Rng } from '../../util/rng.js';
import { bitsFor, denseBits, FLOAT_BITS, sparseBits, totalBits, type SizeBits } from './encoding.js';
import { kthLargest } from './select.js';

/**
 * Gradient compressors working on real Float32Array gradients. Each one is
 * created per layer (and per worker) because the error-feedback methods keep
 * a residual: what was computed but not yet sent, added to the next
 * gradient. `compress` returns what the receiver reconstructs and the honest
 * size of the message.
 *
 * - `adacomp` (Chen et al., AAAI'18): G = residual + g and H = G + g; the
 *   gradient is cut into bins of fixed length L; in each bin the largest |G|
 *   is a soft threshold, and the elements whose |H| reaches it are sent. The
 *   sent elements are quantized to sign × one per-layer scale (the mean |G|
 *   of the sent elements, the least-squares scale for a sign code) and what
 *   was sent is subtracted from the residual. Positions cost a count per bin
 *   plus an offset in the bin (or a bitmap or a list, if cheaper).
 * - `topk`: error feedback; the k largest |residual + g| are sent as floats.
 * - `strom` (Strom 2015): error feedback; elements with |residual + g| ≥ τ are
 *   sent as ±τ (a sign bit each).
 * - `onebit` (Seide et al. 2014): error feedback; every element is sent as
 *   one bit, reconstructed as the mean of the positive or of the negative
 *   values of its bucket (two 32-bit scales per bucket).
 * - `qsgd` (Alistarh et al. 2017; TernGrad with levels = 1 and the max
 *   norm): per bucket a norm, and every element stochastically rounded to
 *   one of `levels` levels of |g|/norm, unbiased; no residual.
 */
export const COMPRESSION_METHODS = ['none', 'adacomp', 'topk', 'strom', 'onebit', 'qsgd'] as const;
export type CompressionMethod = (typeof COMPRESSION_METHODS)[number];

export interface CompressionOptions {
  /** AdaComp bin length; by default 50 for convolution layers and 500 for the others (the paper's choices as reported; unverified). */
  adacompBinLength?: number;
  /** Top-k: fraction of the elements sent. */
  topkFraction: number;
  /** Strom: the fixed threshold τ. */
  stromThreshold: number;
  /** 1-bit: elements per pair of scales (0: the whole tensor). */
  onebitBucket: number;
  /** QSGD: quantization levels s (1 with `max` norm is TernGrad). */
  qsgdLevels: number;
  /** QSGD: elements per norm. */
  qsgdBucket: number;
  qsgdNorm: 'l2' | 'max';
}

export const DEFAULT_COMPRESSION: CompressionOptions = {
  topkFraction: 0.01,
  stromThreshold: 0.05,
  onebitBucket: 0,
  qsgdLevels: 4,
  qsgdBucket: 512,
  qsgdNorm: 'l2',
};

/** Top-k: the elements sent of n — the fraction rounded up, at least one and at most all of them. */
export function topkCount(n: number, fraction: number): number {
  return Math.min(n, Math.max(1, Math.ceil(fraction * n)));
}

export function adacompBinLength(layerClass: OpClass, o: Pick<CompressionOptions, 'adacompBinLength'> = {}): number {
  return o.adacompBinLength ?? (layerClass === 'convolution' ? 50 : 500);
}

export interface Compressed {
  /** What the receiver reconstructs. */
  decoded: Float32Array;
  /** Elements carried (all of them for dense formats). */
  sent: number;
  bits: SizeBits;
}

export class GradientCompressor {
  readonly method: CompressionMethod;
  readonly size: number;
  readonly layerClass: OpClass;
  private readonly options: CompressionOptions;
  /** Computed but not yet sent (error feedback); empty for methods without a residual. */
  readonly residual: Float32Array;
  private readonly rng: Rng;

  constructor(method: CompressionMethod, size: number, layerClass: OpClass, options: CompressionOptions = DEFAULT_COMPRESSION, seed = 1) {
    this.method = method;
    this.size = size;
    this.layerClass = layerClass;
    this.options = options;
    this.residual = new Float32Array(method === 'none' || method === 'qsgd' ? 0 : size);
    this.rng = new Rng(seed);
  }

  compress(grad: Float32Array): Compressed {
    if (grad.length !== this.size) throw new Error(`gradient of ${grad.length} elements given to a compressor for ${this.size}`);
    switch (this.method) {
      case 'none':
        return { decoded: grad.slice(), sent: grad.length, bits: denseBits(grad.length, FLOAT_BITS, 0) };
      case 'adacomp':
        return this.adacomp(grad);
      case 'topk':
        return this.topk(grad);
      case 'strom':
        return this.strom(grad);
      case 'onebit':
        return this.onebit(grad);
      case 'qsgd':
        return this.qsgd(grad);
    }
  }

  /** residual += grad; returns the residual (now the accumulated gradient). */
  private accumulate(grad: Float32Array): Float32Array {
    const r = this.residual;
    for (let i = 0; i < r.length; i++) r[i]! += grad[i]!;
    return r;
  }

  /** residual −= decoded. */
  private feedBack(decoded: Float32Array): void {
    const r = this.residual;
    for (let i = 0; i < r.length; i++) r[i]! -= decoded[i]!;
  }

  private adacomp(grad: Float32Array): Compressed {
    const n = grad.length;
    const L = adacompBinLength(this.layerClass, this.options);
    const G = this.accumulate(grad);
    const selected = new Uint8Array(n);
    let count = 0;
    let sumAbs = 0;
    for (let start = 0; start < n; start += L) {
      const end = Math.min(n, start + L);
      let gmax = 0;
      for (let i = start; i < end; i++) gmax = Math.max(gmax, Math.abs(G[i]!));
      if (gmax === 0) continue;
      for (let i = start; i < end; i++) {
        if (Math.abs(G[i]! + grad[i]!) >= gmax) {
          selected[i] = 1;
          count++;
          sumAbs += Math.abs(G[i]!);
        }
      }
    }
    const scale = count > 0 ? sumAbs / count : 0;
    const decoded = new Float32Array(n);
    for (let i = 0; i < n; i++) if (selected[i]) decoded[i] = Math.sign(G[i]!) * scale;
    this.feedBack(decoded);
    return { decoded, sent: count, bits: sparseBits(n, count, 1, 1, L) };
  }

  private topk(grad: Float32Array): Compressed {
    const n = grad.length;
    const k = topkCount(n, this.options.topkFraction);
    const acc = this.accumulate(grad);
    const mags = new Float32Array(n);
    for (let i = 0; i < n; i++) mags[i] = Math.abs(acc[i]!);
    const threshold = kthLargest(mags, k);
    // everything above the threshold, then ties at it until k are taken
    let above = 0;
    for (let i = 0; i < n; i++) if (mags[i]! > threshold) above++;
    let ties = k - above;
    const decoded = new Float32Array(n);
    let count = 0;
    for (let i = 0; i < n; i++) {
      const m = mags[i]!;
      if (m > threshold || (m === threshold && ties-- > 0)) {
        decoded[i] = acc[i]!;
        count++;
      }
    }
    this.feedBack(decoded);
    return { decoded, sent: count, bits: sparseBits(n, count, FLOAT_BITS, 0) };
  }

  private strom(grad: Float32Array): Compressed {
    const n = grad.length;
    const tau = this.options.stromThreshold;
    const acc = this.accumulate(grad);
    const decoded = new Float32Array(n);
    let count = 0;
    for (let i = 0; i < n; i++) {
      const v = acc[i]!;
      if (Math.abs(v) >= tau) {
        decoded[i] = v > 0 ? tau : -tau;
        count++;
      }
    }
    this.feedBack(decoded);
    // τ is fixed in advance on both sides: no scale travels
    return { decoded, sent: count, bits: sparseBits(n, count, 1, 0) };
  }

  private onebit(grad: Float32Array): Compressed {
    const n = grad.length;
    const bucket = this.options.onebitBucket > 0 ? this.options.onebitBucket : n;
    const acc = this.accumulate(grad);
    const decoded = new Float32Array(n);
    let buckets = 0;
    for (let start = 0; start < n; start += bucket, buckets++) {
      const end = Math.min(n, start + bucket);
      let pos = 0;
      let posCount = 0;
      let neg = 0;
      let negCount = 0;
      for (let i = start; i < end; i++) {
        const v = acc[i]!;
        if (v >= 0) {
          pos += v;
          posCount++;
        } else {
          neg += v;
          negCount++;
        }
      }
      const up = posCount ? pos / posCount : 0;
      const down = negCount ? neg / negCount : 0;
      for (let i = start; i < end; i++) decoded[i] = acc[i]! >= 0 ? up : down;
    }
    this.feedBack(decoded);
    return { decoded, sent: n, bits: denseBits(n, 1, 2 * buckets) };
  }

  private qsgd(grad: Float32Array): Compressed {
    const n = grad.length;
    const { qsgdLevels: s, qsgdBucket: bucket, qsgdNorm } = this.options;
    const decoded = new Float32Array(n);
    let buckets = 0;
    for (let start = 0; start < n; start += bucket, buckets++) {
      const end = Math.min(n, start + bucket);
      let norm = 0;
      for (let i = start; i < end; i++) {
        const v = grad[i]!;
        norm = qsgdNorm === 'max' ? Math.max(norm, Math.abs(v)) : norm + v * v;
      }
      if (qsgdNorm === 'l2') norm = Math.sqrt(norm);
      for (let i = start; i < end; i++) {
        const u = this.rng.next();
        if (norm === 0) continue;
        const r = (Math.abs(grad[i]!) / norm) * s;
        const level = Math.floor(r) + (u < r - Math.floor(r) ? 1 : 0);
        decoded[i] = Math.sign(grad[i]!) * norm * (level / s);
      }
    }
    // a sign and a level in 0..s: 2s+1 values per element
    return { decoded, sent: n, bits: denseBits(n, bitsFor(2 * s + 1), buckets) };
  }
}

/** ‖a − b‖ / ‖b‖ (0 when both are zero). */
export function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < b.length; i++) {
    const d = a[i]! - b[i]!;
    diff += d * d;
    ref += b[i]! * b[i]!;
  }
  if (ref === 0) return diff === 0 ? 0 : Infinity;
  return Math.sqrt(diff / ref);
}

/** Uncompressed bits over compressed bits. */
export function compressionRatio(elements: number, bits: SizeBits): number {
  return (elements * FLOAT_BITS) / totalBits(bits);
}
