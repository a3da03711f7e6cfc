/**
 * Fixed-point requantization, as integer-only inference does it: a real
 * multiplier M = S_in · S_w / S_out held as a 31-bit integer M0 and a right
 * shift n (M ≈ M0 · 2^−n), applied to an integer accumulator as
 * round(acc · M0 / 2^n), rounding half up (toward +∞), all in exact integer
 * arithmetic on doubles, no BigInt.
 *
 * Bounds (each product and sum below stays an integer under 2^53, where
 * doubles are exact): |acc| < 2^37, 0 ≤ M0 < 2^31, 0 ≤ n ≤ 68. M0 is split
 * into 15 high and 16 low bits: acc · hi < 2^52, acc · lo < 2^53, and
 * acc · M0 = t · 2^16 + r with t = acc · hi + ⌊acc · lo / 2^16⌋ (< 2^52 + 2^37)
 * and 0 ≤ r < 2^16, so the shift never forms the 68-bit product.
 */

import { exponentOf } from '../float.js';

/** The largest |acc| the requantization is exact for. */
export const MAX_ACC = 2 ** 37;
/** The widest shift: t + 2^(n−17) stays below 2^53. */
export const MAX_SHIFT = 68;

export interface FixedPoint {
  /** The integer multiplier, in [2^30, 2^31) unless M is below 2^(30 − MAX_SHIFT). */
  m0: number;
  /** The right shift. */
  n: number;
}

/** M as M0 · 2^−n with M0 a 31-bit integer (nearest, ties away from zero); undefined where M ≥ 2^31 − 1/2 or is not positive. */
export function fixedPointMultiplier(m: number): FixedPoint | undefined {
  if (!(m > 0) || m >= 2 ** 31 - 0.5) return undefined;
  let n = Math.min(MAX_SHIFT, 30 - exponentOf(m));
  let m0 = Math.round(m * 2 ** n);
  if (m0 === 2 ** 31) [m0, n] = [2 ** 30, n - 1];
  return n < 0 ? undefined : { m0, n };
}

/** round(acc · m0 / 2^n), half up, exact within the bounds above. */
export function mulShiftRound(acc: number, m0: number, n: number): number {
  const hi = Math.floor(m0 / 65536);
  const lo = m0 - hi * 65536;
  const pLo = acc * lo;
  const qLo = Math.floor(pLo / 65536);
  const t = acc * hi + qLo;
  // n ≥ 17: ⌊(t·2^16 + r + 2^(n−1)) / 2^n⌋ = ⌊(t + 2^(n−17) + r/2^16) / 2^(n−16)⌋ = ⌊(t + 2^(n−17)) / 2^(n−16)⌋, as 0 ≤ r/2^16 < 1
  if (n >= 17) return Math.floor((t + 2 ** (n - 17)) / 2 ** (n - 16)) + 0;
  // n ≤ 16: t · 2^(16−n) is a whole number; only r and the half are divided
  const r = pLo - qLo * 65536;
  return t * 2 ** (16 - n) + Math.floor((r + (n > 0 ? 2 ** (n - 1) : 0)) / 2 ** n) + 0;
}

/** round(x / 2^n), half up, for an integer |x| < 2^51 and any n ≥ 0: below n = 53 every sum is exact; from it on, |x| < 2^(n−2) and the result is 0 however the sum rounds. */
export function shiftRound(x: number, n: number): number {
  return Math.floor((x + (n > 0 ? 2 ** (n - 1) : 0)) / 2 ** n) + 0;
}
