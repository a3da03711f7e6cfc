import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BF16, FP16, decodeFloat, encodeFloat, hfp8Backward, hfp8Forward, maxFinite, minSubnormal, representable, roundToFormat, type FloatFormat } from './float.js';

/** Nearest value of `set` to x by brute force, ties to the one whose code is even. */
function nearest(f: FloatFormat, set: number[], x: number): number {
  let best = set[0]!;
  for (const v of set) {
    const d = Math.abs(v - x) - Math.abs(best - x);
    if (d < 0 || (d === 0 && (encodeFloat(f, Math.abs(v)) & 1) === 0)) best = v;
  }
  return best;
}

/** bfloat16 by the float32 bit rule: add 0x7fff plus the kept lsb, drop the low 16 bits. */
function bf16Reference(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  u[0] = ((u[0]! + 0x7fff + ((u[0]! >>> 16) & 1)) >>> 16) << 16;
  return f[0]!;
}

describe('FP16', () => {
  it('encodes known bit patterns', () => {
    const known: [number, number][] = [
      [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [2 ** -14, 0x0400], [2 ** -24, 0x0001], [0.5, 0x3800],
      [1 + 2 ** -10, 0x3c01], [2 ** -14 - 2 ** -24, 0x03ff], [Infinity, 0x7c00], [-Infinity, 0xfc00], [0.333251953125, 0x3555],
    ];
    for (const [v, bits] of known) {
      expect(encodeFloat(FP16, v)).toBe(bits);
      expect(decodeFloat(FP16, bits)).toBe(v);
    }
  });
  it('rounds known values', () => {
    expect(roundToFormat(FP16, 1 / 3)).toBe(0.333251953125);
    expect(roundToFormat(FP16, 0.1)).toBe(0.0999755859375);
    expect(roundToFormat(FP16, 65519)).toBe(65504);
    expect(roundToFormat(FP16, 65520)).toBe(Infinity);
    expect(roundToFormat(FP16, 2049)).toBe(2048); // tie between 2048 and 2050: even mantissa
    expect(roundToFormat(FP16, 2051)).toBe(2052);
    expect(roundToFormat(FP16, 2 ** -25)).toBe(0); // half the smallest subnormal ties to 0
    expect(roundToFormat(FP16, 1.5 * 2 ** -24)).toBe(2 ** -23);
    expect(maxFinite(FP16)).toBe(65504);
    expect(minSubnormal(FP16)).toBe(2 ** -24);
  });
  it('has 63488 finite values other than −0 (2^16 − 2·1024 inf/NaN codes, one zero counted once)', () => {
    expect(representable(FP16).length).toBe(2 ** 16 - 2 * 1024 - 1);
  });
});

describe('BF16', () => {
  it('agrees with the float32 bit-truncation rule on float32 inputs', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const want = bf16Reference(x);
        // values whose rounding leaves the float32 range become infinity in both
        expect(roundToFormat(BF16, x)).toBe(want);
      }),
      { numRuns: 5000 },
    );
  });
  it('encodes as the high half of the float32 pattern', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-1e30), max: Math.fround(1e30) }), (x) => {
        const v = roundToFormat(BF16, x);
        const u = new Uint32Array(new Float32Array([v]).buffer)[0]!;
        expect(encodeFloat(BF16, v)).toBe(u >>> 16);
      }),
    );
  });
});

const SMALL: FloatFormat[] = [hfp8Forward(), hfp8Backward(), hfp8Forward(4)];

describe.each([FP16, ...SMALL])('$name', (f) => {
  const set = representable(f);
  it('round-trips every code and rounding is idempotent on the representable set', () => {
    const broken = set.filter((v) => decodeFloat(f, encodeFloat(f, v)) !== v || roundToFormat(f, v) !== v);
    expect(broken).toEqual([]);
  });
  it('rounds to the nearest representable value, ties to even (brute force)', () => {
    if (set.length > 1000) return; // the 8-bit formats: exhaustive nearest search
    const max = maxFinite(f);
    fc.assert(
      fc.property(fc.double({ min: -max, max, noNaN: true }), (x) => {
        expect(roundToFormat(f, x) + 0).toBe(nearest(f, set, x)); // −0 and 0 alike
      }),
      { numRuns: 3000 },
    );
  });
  it('keeps the relative error within 2^−(m+1) in the normal range', () => {
    const minNormal = 2 ** (1 - f.bias);
    fc.assert(
      fc.property(fc.double({ min: minNormal, max: maxFinite(f), noNaN: true }), (x) => {
        expect(Math.abs(roundToFormat(f, x) - x)).toBeLessThanOrEqual(x * 2 ** -(f.mantissaBits + 1));
      }),
    );
  });
});

describe('HFP8', () => {
  it('has the 1-4-3 and 1-5-2 ranges for the given biases', () => {
    expect(maxFinite(hfp8Forward())).toBe(480); // 1.875 · 2^(15 − 7)
    expect(minSubnormal(hfp8Forward())).toBe(2 ** -9);
    expect(maxFinite(hfp8Forward(4))).toBe(3840); // 1.875 · 2^11
    expect(maxFinite(hfp8Backward())).toBe(114688); // 1.75 · 2^16
    expect(minSubnormal(hfp8Backward())).toBe(2 ** -16);
    expect(representable(hfp8Forward()).length).toBe(255); // 256 codes, ±0 once
    expect(roundToFormat(hfp8Forward(), 1000)).toBe(480); // saturates
    expect(roundToFormat(hfp8Forward(), 1.0625)).toBe(1); // tie between 1 and 1.125 → even
    expect(roundToFormat(hfp8Backward(), 1.125)).toBe(1); // 1-5-2: tie between 1 and 1.25
    expect(encodeFloat(hfp8Forward(), 1)).toBe(0b0_0111_000);
  });
});
