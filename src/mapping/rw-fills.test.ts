import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CostModel } from './model.js';
import { randomCase } from './testing/random-cases.js';

/**
 * The two conventions for fills of read-write data (ModelOptions.readWriteFills)
 * differ in exactly one count: below the backing store, a level that keeps a
 * read-write data space is charged its partition once more as fills under
 * 'parent-share'. Every read, update, tile and partition is the same.
 */
describe("read-write fills: 'elided' against 'parent-share'", () => {
  it('differ by the partition, only in fills of kept read-write data below the backing store', () => {
    fc.assert(
      fc.property(fc.noShrink(fc.integer({ min: 1, max: 2 ** 31 - 1 })), (seed) => {
        const c = randomCase(seed);
        const elided = new CostModel(c.problem, c.arch);
        const share = new CostModel(c.problem, c.arch, { readWriteFills: 'parent-share' });
        expect(elided.evaluate(c.mapping)).toBe(true);
        expect(share.evaluate(c.mapping)).toBe(true);
        expect([...share.reads]).toEqual([...elided.reads]);
        expect([...share.updates]).toEqual([...elided.updates]);
        expect([...share.partition]).toEqual([...elided.partition]);
        expect(share.computeCycles).toBe(elided.computeCycles);
        c.problem.dataSpaces.forEach((ds, s) => {
          for (let l = 0; l < elided.L; l++) {
            const i = l * elided.DS + s;
            const extra = ds.readWrite && l > 0 && c.mapping.keep[i] ? elided.partition[i]! : 0;
            expect(share.fills[i], `seed ${seed} level ${l} ${ds.name}`).toBe(elided.fills[i]! + extra);
          }
        });
        expect(share.totalEnergyPj).toBeGreaterThanOrEqual(elided.totalEnergyPj - 1e-9);
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});
