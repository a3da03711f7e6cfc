import { describe, expect, it } from 'vitest';
import { choosePrecisions } from './auto.js';

const m = (o: Record<string, number>) => new Map(Object.entries(o));

describe('choosePrecisions', () => {
  // Baseline (hfp8) SQNR 40 dB everywhere; int4 drops a by 20, b by 30, c by 20, d by 10; int2 drops b by 35, c by 25, d by 15.
  const input = {
    layers: ['a', 'b', 'c', 'd', 'e'],
    baseline: { precision: 'hfp8' as const, sqnrDb: m({ a: 40, b: 40, c: 40, d: 40, e: 40 }) },
    candidates: [
      { precision: 'int4' as const, bits: 4, sqnrDb: m({ a: 20, b: 10, c: 20, d: 30, e: 5 }) },
      { precision: 'int2' as const, bits: 2, sqnrDb: m({ a: 1, b: 5, c: 15, d: 25, e: 1 }) },
    ],
    maxDropDb: 25,
    keepEnds: true,
  };
  it('per layer the lowest bits within the budget; the ends at the baseline', () => {
    const c = choosePrecisions(input);
    expect(c.map((x) => x.precision)).toEqual(['hfp8', 'hfp8', 'int2', 'int2', 'hfp8']);
    expect(c.map((x) => x.dropDb)).toEqual([0, 0, 25, 15, 0]);
  });
  it('without keeping the ends, and with a tighter budget', () => {
    expect(choosePrecisions({ ...input, keepEnds: false, maxDropDb: 20 }).map((x) => x.precision)).toEqual(['int4', 'hfp8', 'int4', 'int2', 'hfp8']);
    expect(choosePrecisions({ ...input, maxDropDb: 0 }).map((x) => x.precision)).toEqual(['hfp8', 'hfp8', 'hfp8', 'hfp8', 'hfp8']);
  });
  it('refuses a negative budget', () => {
    expect(() => choosePrecisions({ ...input, maxDropDb: -1 })).toThrow(/--max-sqnr-drop -1/);
  });
});
