import { describe, expect, it } from 'vitest';
import { chebyshev, expectedImprovement, fitGp } from './bayes.js';

describe('ParEGO pieces', () => {
  it('scalarizes with the augmented Chebyshev function', () => {
    // max(0.25·0.4, 0.75·0.8) + 0.05·(0.25·0.4 + 0.75·0.8) = 0.6 + 0.05·0.7
    expect(chebyshev([0.4, 0.8], [0.25, 0.75])).toBeCloseTo(0.635, 12);
  });

  it('gives the textbook expected improvement', () => {
    // at the incumbent with unit sd: φ(0) = 1/√(2π)
    expect(expectedImprovement(0, 1, 0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 6);
    // (best − μ)Φ(z) + σφ(z) with z = 1: 1·0.841345 + 1·0.241971
    expect(expectedImprovement(1, 1, 2)).toBeCloseTo(0.841345 + 0.241971, 5);
    expect(expectedImprovement(3, 0, 2)).toBe(0);
  });

  it('interpolates its training points and is uncertain far from them', () => {
    const xs = [[0], [0.5], [1]];
    const gp = fitGp(xs, [1, 3, 2]);
    xs.forEach((x, i) => {
      expect(gp.predict(x).mean).toBeCloseTo([1, 3, 2][i]!, 3);
      expect(gp.predict(x).sd).toBeLessThan(0.01);
    });
    expect(gp.predict([3]).sd).toBeGreaterThan(0.5);
  });
});
