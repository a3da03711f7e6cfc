import { describe, expect, it } from 'vitest';
import { Rng } from '../../util/rng.js';
import { fixedPointMultiplier, MAX_ACC, MAX_SHIFT, mulShiftRound } from './fixed-point.js';

/** The reference: ⌊(acc · m0 + 2^(n−1)) / 2^n⌋ in BigInt (half up), n = 0 without the half. */
function reference(acc: number, m0: number, n: number): number {
  const num = BigInt(acc) * BigInt(m0) + (n > 0 ? 1n << BigInt(n - 1) : 0n);
  const d = 1n << BigInt(n);
  const q = num / d;
  // BigInt division truncates toward zero: step down for a negative remainder
  return Number(num % d < 0n ? q - 1n : q);
}

describe('fixed-point requantization', () => {
  it('M = 0.0123 and M = 0.75, worked by hand', () => {
    // 0.0123 lies in [2^−7, 2^−6): n = 30 + 7 = 37, M0 = round(0.0123 · 2^37) = round(1 690 499 127.7056) = 1 690 499 128
    expect(fixedPointMultiplier(0.0123)).toEqual({ m0: 1690499128, n: 37 });
    // acc = 1000: 1000 · 1 690 499 128 / 2^37 = 12.300000002…, rounds to 12 (= round(12.3))
    expect(mulShiftRound(1000, 1690499128, 37)).toBe(12);
    // acc = −1000: −12.300000002… rounds to −12
    expect(mulShiftRound(-1000, 1690499128, 37)).toBe(-12);
    // 0.75 = 1 610 612 736 · 2^−31 exactly (2^−1 ≤ 0.75 < 2^0: n = 31)
    expect(fixedPointMultiplier(0.75)).toEqual({ m0: 1610612736, n: 31 });
    // ties round half up: 2 · 0.75 = 1.5 → 2; −2 · 0.75 = −1.5 → −1; 3 · 0.75 = 2.25 → 2
    expect([2, -2, 3].map((a) => mulShiftRound(a, 1610612736, 31))).toEqual([2, -1, 2]);
    // a 32-bit accumulator times a 31-bit multiplier passes 2^53: (2^31 − 1)² / 2^40 = 2^22 − 2^−8 + 2^−40 → 4 194 304
    expect(mulShiftRound(2 ** 31 - 1, 2 ** 31 - 1, 40)).toBe(4194304);
  });

  it('a multiplier at or above 2^31, or not positive, has no 31-bit form; 2^k is 2^30 · 2^−(30−k)', () => {
    expect([fixedPointMultiplier(2 ** 31), fixedPointMultiplier(0), fixedPointMultiplier(-1)]).toEqual([undefined, undefined, undefined]);
    expect(fixedPointMultiplier(2 ** -5)).toEqual({ m0: 2 ** 30, n: 35 });
    expect(fixedPointMultiplier(8)).toEqual({ m0: 2 ** 30, n: 27 });
  });

  it('equals the BigInt reference for random accumulators and multipliers within the bounds', () => {
    const rng = new Rng(3);
    const cases: [number, number, number][] = [
      [MAX_ACC - 1, 2 ** 31 - 1, MAX_SHIFT],
      [-(MAX_ACC - 1), 2 ** 31 - 1, 17],
      [MAX_ACC - 1, 2 ** 31 - 1, 16],
      [-(MAX_ACC - 1), 2 ** 30, 0],
    ];
    for (let i = 0; i < 20000; i++) {
      // accumulators of every magnitude up to 2^37, multipliers of every width up to 31 bits, every shift
      const acc = Math.floor((rng.next() * 2 - 1) * 2 ** (rng.next() * 37));
      const m0 = Math.floor(rng.next() * 2 ** (1 + rng.int(31)));
      cases.push([acc, m0, rng.int(MAX_SHIFT + 1)]);
    }
    for (const [acc, m0, n] of cases) expect(mulShiftRound(acc, m0, n), `${acc} · ${m0} / 2^${n}`).toBe(reference(acc, m0, n));
  });

  it('the multiplier is within 2^−31 (relative) of M over 2^−38 … 2^20', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 2000; i++) {
      const m = 2 ** (rng.next() * 58 - 38); // 2^−38 … 2^20: M0 full width down to 2^(30 − MAX_SHIFT)
      const f = fixedPointMultiplier(m)!;
      expect(f.m0 >= 2 ** 30 && f.m0 < 2 ** 31).toBe(true);
      expect(Math.abs((f.m0 * 2 ** -f.n) / m - 1)).toBeLessThanOrEqual(2 ** -31);
    }
  });
});
