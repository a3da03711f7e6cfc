import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compressionRatio, DEFAULT_COMPRESSION, GradientCompressor, relativeError, topkCount, type CompressionMethod } from './compressors.js';
import { indexBits, totalBits } from './encoding.js';
import { kthLargest } from './select.js';
import { Rng } from '../../util/rng.js';

const f32 = (xs: number[]) => Float32Array.from(xs);
const close = (a: Float32Array, b: number[], digits = 6) => b.forEach((v, i) => expect(a[i]).toBeCloseTo(v, digits));

describe('kthLargest', () => {
  it('agrees with sorting', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 200 }), fc.nat(), (xs, seed) => {
        const v = Float32Array.from(xs);
        const k = 1 + (seed % v.length);
        const sorted = Array.from(v).sort((a, b) => b - a);
        expect(kthLargest(v, k)).toBe(sorted[k - 1]);
      }),
    );
  });
});

describe('index encoding', () => {
  it('takes the cheapest of list, bitmap and bins', () => {
    // 3 of 1024: list 3·10 = 30 bits beats a 1024-bit map; +2 selector bits
    expect(indexBits(1024, 3)).toBe(32);
    // 600 of 1024: the bitmap wins
    expect(indexBits(1024, 600)).toBe(1026);
    // 20 of 10000 in bins of 500: 20 bins · ⌈log₂501⌉ = 180, + 20 · 9 = 360; list is 20·14 = 280
    expect(indexBits(10000, 20, 500)).toBe(282);
    // 40 of 10000 in bins of 500: bins 180 + 360 = 540 < list 560
    expect(indexBits(10000, 40, 500)).toBe(542);
  });
});

describe('AdaComp', () => {
  it('selects by the soft threshold of each bin, quantizes with one scale and keeps the rest as residual (hand example)', () => {
    const c = new GradientCompressor('adacomp', 8, 'matmul', { ...DEFAULT_COMPRESSION, adacompBinLength: 4 });
    // step 1: residual 0, so G = g and H = 2g; bin 1 max |G| = 0.5 → send |g| ≥ 0.25; bin 2 max 0.3 → |g| ≥ 0.15
    const r1 = c.compress(f32([0.1, -0.5, 0.2, 0.05, 0.3, 0.3, -0.1, 0]));
    const s1 = (0.5 + 0.3 + 0.3) / 3;
    expect(r1.sent).toBe(3);
    close(r1.decoded, [0, -s1, 0, 0, s1, s1, 0, 0]);
    // sizes: count 32, positions min(list 3·3, bitmap 8, bins 2·3 + 3·2) = 8 (+2), signs 3, scale 32
    expect(r1.bits).toEqual({ header: 32, index: 10, value: 3, scale: 32 });
    // step 2 with a zero gradient: G = H = residual [0.1, −0.1333, 0.2, 0.05 | −0.0667, −0.0667, −0.1, 0]
    const r2 = c.compress(new Float32Array(8));
    const s2 = (0.2 + 0.1) / 2;
    expect(r2.sent).toBe(2);
    close(r2.decoded, [0, 0, s2, 0, 0, 0, -s2, 0]);
  });

  it('uses bins of 50 for convolutions and 500 for fully connected layers by default', () => {
    const g = new Float32Array(1000).fill(0.001);
    g[7] = 1; // one large element: only it reaches its bin's threshold in its bin
    const conv = new GradientCompressor('adacomp', 1000, 'convolution').compress(g);
    const fcl = new GradientCompressor('adacomp', 1000, 'matmul').compress(g);
    // every other bin is flat, so all its elements reach the threshold except in the bin holding the spike
    expect(conv.sent).toBe(1000 - 50 + 1);
    expect(fcl.sent).toBe(1000 - 500 + 1);
  });
});

describe('other compressors (hand examples)', () => {
  it('top-k sends the k largest magnitudes as floats and feeds the rest back', () => {
    const c = new GradientCompressor('topk', 6, 'matmul', { ...DEFAULT_COMPRESSION, topkFraction: 2 / 6 });
    const r = c.compress(f32([0.1, -0.9, 0.3, 0.5, -0.2, 0.05]));
    close(r.decoded, [0, -0.9, 0, 0.5, 0, 0]);
    // count 32 + positions min(2·3, 6) + 2 + 2 floats
    expect(totalBits(r.bits)).toBe(32 + 8 + 64);
    // next step: residual [0.1, 0, 0.3, 0, −0.2, 0.05] + g
    const r2 = c.compress(f32([0, 0, 0, 0, -0.25, 0]));
    close(r2.decoded, [0, 0, 0.3, 0, -0.45, 0]);
  });

  it('top-k sends at least one element and at most all of them', () => {
    expect([topkCount(1000, 0.01), topkCount(1000, 0.0001), topkCount(6, 2 / 6), topkCount(6, 5)]).toEqual([10, 1, 2, 6]);
    const all = new GradientCompressor('topk', 3, 'matmul', { ...DEFAULT_COMPRESSION, topkFraction: 5 }).compress(f32([1, -2, 3]));
    close(all.decoded, [1, -2, 3]);
  });

  it('Strom sends ±τ where the accumulated gradient reaches τ', () => {
    const c = new GradientCompressor('strom', 4, 'matmul', { ...DEFAULT_COMPRESSION, stromThreshold: 0.5 });
    close(c.compress(f32([0.6, -0.3, -1.7, 0.2])).decoded, [0.5, 0, -0.5, 0]);
    // residual [0.1, −0.3, −1.2, 0.2]
    close(c.compress(f32([0, -0.3, 0, 0.2])).decoded, [0, -0.5, -0.5, 0]);
  });

  it('1-bit sends signs, reconstructed as the mean of each sign', () => {
    const c = new GradientCompressor('onebit', 4, 'matmul');
    const r = c.compress(f32([1, 3, -2, -4]));
    close(r.decoded, [2, 2, -3, -3]);
    expect(r.bits).toEqual({ header: 0, index: 0, value: 4, scale: 64 });
  });

  it('QSGD levels are multiples of norm/s, 4 bits for s = 4 and one norm per bucket', () => {
    const c = new GradientCompressor('qsgd', 1024, 'matmul');
    const rng = new Rng(3);
    const g = Float32Array.from({ length: 1024 }, () => rng.normal());
    const r = c.compress(g);
    expect(r.bits).toEqual({ header: 0, index: 0, value: 1024 * 4, scale: 2 * 32 });
    for (const [start, end] of [[0, 512], [512, 1024]] as const) {
      let norm = 0;
      for (let i = start; i < end; i++) norm += g[i]! * g[i]!;
      norm = Math.sqrt(norm);
      for (let i = start; i < end; i++) {
        const level = (Math.abs(r.decoded[i]!) / norm) * 4;
        expect(Math.abs(level - Math.round(level))).toBeLessThan(1e-4);
        // stochastic rounding goes to one of the two neighbouring levels
        expect(Math.abs(level - (Math.abs(g[i]!) / norm) * 4)).toBeLessThan(1 + 1e-4);
      }
    }
  });

  it('QSGD and TernGrad are unbiased', () => {
    const g = f32([0.3, -0.7, 0.05, 0.9, -0.2, 0]);
    for (const opts of [{}, { qsgdLevels: 1, qsgdNorm: 'max' as const }]) {
      const c = new GradientCompressor('qsgd', 6, 'matmul', { ...DEFAULT_COMPRESSION, ...opts }, 11);
      const mean = new Float64Array(6);
      const trials = 20000;
      for (let t = 0; t < trials; t++) c.compress(g).decoded.forEach((v, i) => (mean[i]! += v / trials));
      // standard error ≤ norm/√trials ≈ 0.0085; allow 4 of them
      g.forEach((v, i) => expect(Math.abs(mean[i]! - v)).toBeLessThan(0.035));
    }
  });
});

describe('all compressors', () => {
  const feedback: CompressionMethod[] = ['adacomp', 'topk', 'strom', 'onebit'];

  it('error feedback loses nothing: what was sent plus the residual is what was computed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...feedback), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 5 }), fc.nat(), (method, n, steps, seed) => {
        const rng = new Rng(seed);
        const c = new GradientCompressor(method, n, seed % 2 ? 'convolution' : 'matmul', { ...DEFAULT_COMPRESSION, stromThreshold: 0.5 });
        const sumG = new Float64Array(n);
        const sumSent = new Float64Array(n);
        for (let s = 0; s < steps; s++) {
          const g = Float32Array.from({ length: n }, () => rng.normal());
          g.forEach((v, i) => (sumG[i]! += v));
          c.compress(g).decoded.forEach((v, i) => (sumSent[i]! += v));
        }
        sumG.forEach((v, i) => expect(sumSent[i]! + c.residual[i]!).toBeCloseTo(v, 3));
      }),
      { numRuns: 80 },
    );
  });

  it('no compression is lossless with ratio 1; every method reports an honest ratio and error', () => {
    const rng = new Rng(5);
    const g = Float32Array.from({ length: 5000 }, () => rng.normal() * 0.01);
    const none = new GradientCompressor('none', 5000, 'matmul').compress(g);
    expect(compressionRatio(5000, none.bits)).toBe(1);
    expect(relativeError(none.decoded, g)).toBe(0);
    const onebit = new GradientCompressor('onebit', 5000, 'matmul').compress(g);
    expect(compressionRatio(5000, onebit.bits)).toBeCloseTo((5000 * 32) / (5000 + 64), 9);
    // a sign code with mean magnitudes keeps the direction: error well below 1 for Gaussian data (√(1 − 2/π) ≈ 0.60)
    expect(relativeError(onebit.decoded, g)).toBeCloseTo(Math.sqrt(1 - 2 / Math.PI), 1);
  });

  it('is deterministic for a seed', () => {
    const g = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i));
    const a = new GradientCompressor('qsgd', 100, 'matmul', DEFAULT_COMPRESSION, 9).compress(g).decoded;
    const b = new GradientCompressor('qsgd', 100, 'matmul', DEFAULT_COMPRESSION, 9).compress(g).decoded;
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
