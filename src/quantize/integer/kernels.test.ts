import { describe, expect, it } from 'vitest';
import type { Bounds, ConvGeo, GemmLayer } from './graph.js';
import { referenceLayer } from './kernels.js';

const base = { nodes: [], inputs: ['x'], output: 'y' };

function layer(o: { m: number; k: number; n: number; bits: number; weight: number[]; bias: number[]; shift: number[]; bounds: Bounds; conv?: ConvGeo }): GemmLayer {
  return { kind: 'gemm', name: 'l', ...base, ...o, weight: Int8Array.from(o.weight), oddWeights: false, weightScales: new Float64Array(o.n).fill(1), bias: Int32Array.from(o.bias), shift: Int32Array.from(o.shift), accBits: 32 };
}

const window = (o: Partial<ConvGeo> & Pick<ConvGeo, 'c' | 'h' | 'w' | 'k' | 'group' | 'kh' | 'kw' | 'p' | 'q'>): ConvGeo => ({ n: 1, sh: 1, sw: 1, dh: 1, dw: 1, padTop: 0, padLeft: 0, ...o });

describe('integer kernels, hand-derived', () => {
  it('int4 dense: unsigned 4-bit inputs, ±7 weights, bias with the rounding half, per-channel shifts, ties rounding up, a clamp', () => {
    // x = [[15, 0, 7], [3, 8, 1]]; w0 = [7, −7, 1], w1 = [−3, 2, 5]; integer bias [−4, −3], shifts [2, 1] (halves 2, 1 → stored [−2, −2]); output int4 signed [−7, 7]
    // row 0 · w0 = 105 + 0 + 7 = 112;  (112 − 4 + 2) >> 2 = 110 >> 2 = 27 → clamped to 7
    // row 0 · w1 = −45 + 0 + 35 = −10; (−10 − 3 + 1) >> 1 = −12 >> 1 = −6   (−13 / 2 = −6.5: the tie rounds up)
    // row 1 · w0 = 21 − 56 + 1 = −34;  (−34 − 4 + 2) >> 2 = −36 >> 2 = −9 → clamped to −7
    // row 1 · w1 = −9 + 16 + 5 = 12;   (12 − 3 + 1) >> 1 = 10 >> 1 = 5     (9 / 2 = 4.5 rounds up to 5)
    const l = layer({ m: 2, k: 3, n: 2, bits: 4, weight: [7, -7, 1, -3, 2, 5], bias: [-2, -2], shift: [2, 1], bounds: { lo: -7, hi: 7 } });
    expect(Array.from(referenceLayer(l, [Int16Array.from([15, 0, 7, 3, 8, 1])]))).toEqual([7, -6, -7, 5]);
  });

  it('int2 convolution: unsigned 2-bit input {0..3}, ternary weights, output in [0, 3]', () => {
    // x (3×3) = [[3, 0, 1], [2, 3, 0], [1, 1, 2]], 2×2 kernels, stride 1: a 2×2 output per channel
    // ch0 w = [[1, −1], [0, 1]]: x[p][q] − x[p][q+1] + x[p+1][q+1] = 6, −1, 0, 5;  (v + 1) >> 1 = 3, 0, 0, 3
    // ch1 w = [[−1, 0], [1, 1]]: −x[p][q] + x[p+1][q] + x[p+1][q+1] = 2, 3, 0, 0;  (v + 1) >> 1 = 1, 2, 0, 0
    const conv = window({ c: 1, h: 3, w: 3, k: 2, group: 1, kh: 2, kw: 2, p: 2, q: 2 });
    const l = layer({ m: 4, k: 4, n: 2, bits: 2, weight: [1, -1, 0, 1, -1, 0, 1, 1], bias: [1, 1], shift: [1, 1], bounds: { lo: 0, hi: 3 }, conv });
    expect(Array.from(referenceLayer(l, [Int16Array.from([3, 0, 1, 2, 3, 0, 1, 1, 2])]))).toEqual([3, 0, 0, 3, 1, 2, 0, 0]);
  });

  it('int2 convolution with padding 1 and stride 2: each output sees one corner block of the input', () => {
    // the same input and ch0 kernel [[1, −1], [0, 1]] at pad 1, stride 2 → windows at rows/cols −1 and 1:
    // (0,0): only w[1][1]·x[0][0] = 3;  (0,1): w[1][0]·x[0][1] + w[1][1]·x[0][2] = 0 + 1 = 1
    // (1,0): w[0][1]·x[1][0] + w[1][1]·x[2][0] = −2 + 1 = −1;  (1,1): x[1][1] − x[1][2] + x[2][2] = 3 − 0 + 2 = 5
    // shift 0, bias 0, signed int2 bounds [−1, 1]: 1, 1, −1, 1
    const conv = window({ c: 1, h: 3, w: 3, k: 1, group: 1, kh: 2, kw: 2, sh: 2, sw: 2, padTop: 1, padLeft: 1, p: 2, q: 2 });
    const l = layer({ m: 4, k: 4, n: 1, bits: 2, weight: [1, -1, 0, 1], bias: [0], shift: [0], bounds: { lo: -1, hi: 1 }, conv });
    expect(Array.from(referenceLayer(l, [Int16Array.from([3, 0, 1, 2, 3, 0, 1, 1, 2])]))).toEqual([1, 1, -1, 1]);
  });

  it('int4 depthwise convolution: each group reads only its own channel', () => {
    // ch0 x = [1, 2, 3, 4], w = [1, 1, 1, 1] → 10; ch1 x = [5, 6, 7, 0], w = [1, −1, 2, −7] → 5 − 6 + 14 − 0 = 13
    const conv = window({ c: 2, h: 2, w: 2, k: 2, group: 2, kh: 2, kw: 2, p: 1, q: 1 });
    const l = layer({ m: 1, k: 4, n: 2, bits: 4, weight: [1, 1, 1, 1, 1, -1, 2, -7], bias: [0, 0], shift: [0, 0], bounds: { lo: -127, hi: 127 }, conv });
    expect(Array.from(referenceLayer(l, [Int16Array.from([1, 2, 3, 4, 5, 6, 7, 0])]))).toEqual([10, 13]);
  });

  it('sums exactly past float32\'s 2^24: 2304 · 255 · 127 − 2304 · 255 · 127 + 255 · 1 = 255', () => {
    // the partial sums reach 74 615 040 (27 bits) with odd values in between, which float32 cannot hold
    const k = 4609;
    const weight = Array.from({ length: k }, (_, i) => (i < 2304 ? 127 : i < 4608 ? -127 : 1));
    const l = layer({ m: 1, k, n: 1, bits: 8, weight, bias: [0], shift: [0], bounds: { lo: 0, hi: 255 } });
    expect(Array.from(referenceLayer(l, [new Int16Array(k).fill(255)]))).toEqual([255]);
  });
});
