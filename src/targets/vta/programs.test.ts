import { describe, expect, it } from 'vitest';
import { runLowered } from './passes.js';
import { lowerLayer, type VtaLayer } from './lower.js';
import type { AddLayer, GemmLayer, MaxPoolLayer } from '../../quantize/integer/graph.js';
import { referenceLayer, requantize } from '../../quantize/integer/kernels.js';
import { loadVtaTarget } from './spec.js';

const x3 = Int8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
const base = { nodes: [], inputs: ['x'], output: 'y' };

/** A 1-channel 3×3 input, 2×2 kernel [[1, 0], [0, −1]], bias 10 (rounding included), shift 1. */
function conv(pad: number, stride: number, p: number): GemmLayer {
  return {
    kind: 'gemm', name: 'conv', ...base, m: p * p, k: 4, n: 1,
    conv: { n: 1, c: 1, h: 3, w: 3, k: 1, group: 1, kh: 2, kw: 2, sh: stride, sw: stride, dh: 1, dw: 1, padTop: pad, padLeft: pad, p, q: p },
    bits: 8, weight: Int8Array.from([1, 0, 0, -1]), oddWeights: false, weightScales: new Float64Array(1).fill(1), bias: Int32Array.from([10]), shift: Int32Array.from([1]), accBits: 32, bounds: { lo: -127, hi: 127 },
  };
}

/** Runs a layer through its VTA program on the functional simulator. */
function onVta(l: VtaLayer, inputs: Int8Array[], elements: number): Int8Array {
  const t = loadVtaTarget('vta');
  return runLowered(t, lowerLayer(t, l, elements), inputs);
}

describe('integer kernels (hand-derived values), and the VTA programs on the same cases', () => {
  it('requantization: floor shift, left shift, clip, ReLU, ReLU6-style upper bound', () => {
    const all = { lo: -127, hi: 127 };
    expect([requantize(100, 2, all), requantize(-5, 1, all), requantize(1000, 0, all), requantize(-1000, 0, all), requantize(-3, 0, { lo: 0, hi: 127 }), requantize(3, -2, all), requantize(50, 0, { lo: 0, hi: 48 })]).toEqual([25, -3, 127, -127, 0, 12, 48]);
  });

  it('convolution, unpadded stride 1: x[p][q] − x[p+1][q+1] = −4, (−4 + 10) >> 1 = 3', () => {
    const l = conv(0, 1, 2);
    expect(Array.from(referenceLayer(l, [x3]))).toEqual([3, 3, 3, 3]);
    expect(Array.from(onVta(l, [x3], 4))).toEqual([3, 3, 3, 3]);
  });

  it('convolution, padding 1 and stride 2: −1, −3, −7, −4 plus 10, shifted: 4, 3, 1, 3', () => {
    const l = conv(1, 2, 2);
    expect(Array.from(referenceLayer(l, [x3]))).toEqual([4, 3, 1, 3]);
    expect(Array.from(onVta(l, [x3], 4))).toEqual([4, 3, 1, 3]);
  });

  it('max pool 2×2 stride 1 over 1..9: 5 6 8 9; padded 3×3 stride 2: 5 6 8 9 too', () => {
    const pool = (k: number, s: number, pad: number): MaxPoolLayer => ({ kind: 'maxpool', name: 'pool', ...base, pool: { n: 1, c: 1, h: 3, w: 3, kh: k, kw: k, sh: s, sw: s, dh: 1, dw: 1, padTop: pad, padLeft: pad, p: 2, q: 2 } });
    const neg = Int8Array.from(x3, (v) => -v);
    for (const l of [pool(2, 1, 0), pool(3, 2, 1)]) {
      expect(Array.from(referenceLayer(l, [x3]))).toEqual([5, 6, 8, 9]);
      expect(Array.from(onVta(l, [x3], 4))).toEqual([5, 6, 8, 9]);
    }
    // all-negative input: the padding never wins; each window holds a 2×2 corner block of the input, whose largest is its top-left
    expect(Array.from(onVta(pool(3, 2, 1), [neg], 4))).toEqual([-1, -2, -4, -5]);
  });

  it('add: ((10 << 1) + 3 + 1) >> 1 = 12; with ReLU a negative sum is 0', () => {
    const l: AddLayer = { kind: 'add', name: 'add', ...base, inputs: ['a', 'b'], la: 1, lb: 0, shift: 1, bounds: { lo: 0, hi: 127 } };
    const a = Int8Array.from([10, -10]), b = Int8Array.from([3, 3]);
    expect(Array.from(referenceLayer(l, [a, b]))).toEqual([12, 0]);
    expect(Array.from(onVta(l, [a, b], 2))).toEqual([12, 0]);
  });
});
