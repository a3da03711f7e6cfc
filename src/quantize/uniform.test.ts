import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../util/rng.js';
import { roundHalfEven, stochasticRounding } from './round.js';
import { asymmetric, decode, encode, fakeQuantize, fakeQuantizePerChannel, grid, symmetric } from './uniform.js';

describe('rounding', () => {
  it('rounds half to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 0, -2, -2, 2, 3]);
  });
  it('rounds stochastically without bias, reproducibly for a seed', () => {
    const round = stochasticRounding(new Rng(7));
    let s = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) s += round(0.3);
    // mean of n Bernoulli(0.3): standard error sqrt(0.21 / n) ≈ 0.0032; 5 standard errors
    expect(Math.abs(s / n - 0.3)).toBeLessThan(0.016);
    const a = stochasticRounding(new Rng(3));
    const b = stochasticRounding(new Rng(3));
    expect(Array.from({ length: 50 }, () => a(2.7))).toEqual(Array.from({ length: 50 }, () => b(2.7)));
    expect(new Set(Array.from({ length: 50 }, () => a(2.7)))).toEqual(new Set([2, 3]));
  });
});

describe.each([8, 4, 2])('INT%i', (bits) => {
  it('symmetric: the grid is 2^b − 1 codes ±(2^(b−1) − 1)·scale, zero exact', () => {
    const q = symmetric(bits, 3);
    const g = grid(q);
    expect(g.length).toBe(2 ** bits - 1);
    expect(g[0]).toBeCloseTo(-3, 12);
    expect(g.at(-1)).toBeCloseTo(3, 12);
    expect(g).toContain(0);
  });
  it('asymmetric: 2^b codes covering [lo, hi] ∪ {0}, zero exact', () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 0.01, max: 10, noNaN: true }), (lo, width) => {
        const q = asymmetric(bits, lo, lo + width);
        expect(grid(q).length).toBe(2 ** bits);
        expect(decode(q, encode(q, 0))).toBe(0);
        expect(q.zeroPoint).toBeGreaterThanOrEqual(0);
        expect(q.zeroPoint).toBeLessThanOrEqual(2 ** bits - 1);
      }),
    );
  });
  it('fake quantization is idempotent, lands on the grid, and errs at most half a step inside the range', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 100, noNaN: true }), fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }), (c, xs) => {
        const q = symmetric(bits, c);
        const data = Float64Array.from(xs, (x) => x * c);
        const once = fakeQuantize(q, data, new Float64Array(data.length));
        const twice = fakeQuantize(q, once, new Float64Array(data.length));
        expect(Array.from(twice)).toEqual(Array.from(once));
        const g = new Set(grid(q));
        once.forEach((v, i) => {
          expect(g.has(v) || g.has(v + 0)).toBe(true);
          expect(Math.abs(v - data[i]!)).toBeLessThanOrEqual(q.scale / 2 + 1e-12 * c);
        });
      }),
    );
  });
  it('clips values outside the range to the end codes', () => {
    const q = symmetric(bits, 1);
    expect(decode(q, encode(q, 50))).toBeCloseTo(1, 12);
    expect(decode(q, encode(q, -50))).toBeCloseTo(-1, 12);
  });
});

describe('per-channel', () => {
  it('quantizes each channel along the axis with its own scale', () => {
    // shape [2, 3], channels along the last axis: columns (1, 100), (2, 200), (4, 400)
    const data = [1, 2, 4, 100, 200, 400];
    const byColumn = fakeQuantizePerChannel(data, [2, 3], 1, (v) => {
      const q = symmetric(2, Math.max(...v.map(Math.abs)));
      return (x) => decode(q, encode(q, x));
    });
    // 2-bit symmetric codes −1, 0, 1: each column's small value (1% of its max) rounds to 0
    expect(Array.from(byColumn)).toEqual([0, 0, 0, 100, 200, 400]);
    const byRow = fakeQuantizePerChannel(data, [2, 3], 0, (v) => {
      const q = symmetric(8, Math.max(...v.map(Math.abs)));
      return (x) => decode(q, encode(q, x));
    });
    expect(byRow[2]).toBeCloseTo(4, 5);
    expect(byRow[5]).toBeCloseTo(400, 3);
  });
});
