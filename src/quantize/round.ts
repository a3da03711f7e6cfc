import type { Rng } from '../util/rng.js';

/**
 * Rounding of a real number to an integer: to nearest with ties to even (the
 * IEEE default, what hardware quantizers do), or stochastic (up with
 * probability equal to the fractional part, so unbiased in expectation).
 */
export type Rounding = (x: number) => number;

/** Nearest integer, ties to the even one. Exact for every double (x − floor(x) is exact). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Stochastic rounding drawing from `rng`: floor(x) + 1 with probability x − floor(x). */
export function stochasticRounding(rng: Rng): Rounding {
  return (x) => {
    const f = Math.floor(x);
    return rng.next() < x - f ? f + 1 : f;
  };
}
