import { describe, expect, it } from 'vitest';
import { Rng } from '../util/rng.js';
import { calibrate, clipMse, maxAbs, mseClip, percentileAbs } from './calibrate.js';
import { midRise, pact, pactAlphaGradient, sawbAlpha } from './clipping.js';

function gaussian(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** Laplace with unit variance (scale 1/√2), by inverse CDF. */
function laplace(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const b = Math.SQRT1_2;
  return Float64Array.from({ length: n }, () => {
    const u = rng.next() - 0.5;
    return -b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
  });
}

/** Mean squared error of the mid-rise quantizer with outermost level α. */
function midRiseMse(w: Float64Array, alpha: number, bits: number): number {
  let s = 0;
  for (const x of w) s += (x - midRise(x, alpha, bits)) ** 2;
  return s / w.length;
}

/** Brute-force MSE-optimal α over a fine grid. */
function bestAlpha(w: Float64Array, bits: number): number {
  let best = 0;
  let err = Infinity;
  for (let a = 0.5; a < 4; a += 0.01) {
    const e = midRiseMse(w, a, bits);
    if (e < err) [err, best] = [e, a];
  }
  return best;
}

describe('calibration', () => {
  const xs = [-4, 1, 2, 3, -0.5];
  it('max, percentile and MSE clips', () => {
    expect(maxAbs(xs)).toBe(4);
    expect(percentileAbs(xs, 100)).toBe(4);
    expect(percentileAbs(xs, 60)).toBe(2); // |x| sorted 0.5 1 2 3 4: rank ceil(0.6·5) = 3
    expect(calibrate(xs, 'percentile', 127, 80)).toBe(3);
  });
  it('MSE clip is no worse than max clip, and clips Gaussian tails at low bits', () => {
    const w = gaussian(20000, 1);
    const c = mseClip(w, 1); // 2-bit symmetric: codes −1, 0, 1
    expect(clipMse(w, c, 1)).toBeLessThanOrEqual(clipMse(w, maxAbs(w), 1));
    expect(c).toBeLessThan(maxAbs(w) / 2);
    // the optimal ternary threshold for a unit Gaussian: levels ±1.224 (Lloyd–Max 3-level; uniform grid here, so within a few %)
    expect(c).toBeGreaterThan(1.1);
    expect(c).toBeLessThan(1.35);
  });
});

describe('PACT', () => {
  it('clips to [0, α] on 2^b − 1 steps and passes the α gradient only where clipped', () => {
    expect(pact(-1, 2, 2)).toBe(0);
    expect(pact(5, 2, 2)).toBe(2);
    expect(pact(0.7, 2, 2)).toBeCloseTo(2 / 3, 12); // steps of 2/3
    expect(new Set([0, 0.3, 0.9, 1.2, 1.7, 3].map((x) => pact(x, 2, 2)))).toEqual(new Set([0, 2 / 3, 4 / 3, 2]));
    expect(pactAlphaGradient(3, 2)).toBe(1);
    expect(pactAlphaGradient(1, 2)).toBe(0);
  });
});

describe('SAWB', () => {
  it('mid-rise levels: 2^b odd multiples of a half step, outermost ±α', () => {
    const levels = new Set([-9, -1.2, -0.4, 0.1, 0.5, 0.9, 9].map((x) => midRise(x, 3, 2)));
    expect([...levels].sort((a, b) => a - b)).toEqual([-3, -1, 1, 3]);
  });
  it.each([
    ['Gaussian', 2, gaussian], ['Gaussian', 4, gaussian], ['Laplacian', 2, laplace], ['Laplacian', 4, laplace],
  ] as const)('the fitted α* costs at most 5%% more squared error than the brute-force optimal α (%s, %i bits)', (_name, bits, draw) => {
    // the fit is a regression across distributions: α* itself lands within about 8% of each optimum (measured),
    // on the flat bottom of the error curve
    const w = draw(8000, 11);
    const fit = sawbAlpha(w, bits);
    const best = bestAlpha(w, bits);
    expect(Math.abs(fit - best) / best).toBeLessThan(0.1);
    expect(midRiseMse(w, fit, bits) / midRiseMse(w, best, bits)).toBeLessThan(1.05);
  });
  it('scales with the weights', () => {
    const w = gaussian(1000, 2);
    expect(sawbAlpha(w.map((x) => 3 * x), 2)).toBeCloseTo(3 * sawbAlpha(w, 2), 10);
  });
});
