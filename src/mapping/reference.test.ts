import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CostModel } from './model.js';
import { referenceCounts } from './reference.js';
import { randomCase } from './testing/random-cases.js';

/**
 * The analytical counts against the brute-force reference (reference.ts),
 * which walks every loop iteration of every instance: random small problems
 * on random 2–4 level architectures (random fan-outs, multicast and reduction
 * flags, block sizes), random factorizations (some padded), loop orders and
 * keep/bypass choices. Exact equality is required.
 */
const at = (model: CostModel, arr: Float64Array, level: number, ds: number) => arr[level * model.DS + ds]!;

describe('analytical counts equal a brute-force walk of the loop nest', () => {
  const check = (kinds: string[]) => (seed: number) => {
    const c = randomCase(seed, kinds);
    const model = new CostModel(c.problem, c.arch);
    expect(model.evaluate(c.mapping)).toBe(true);
    const ref = referenceCounts(c.problem, c.arch, c.mapping);
    expect(ref.nonUniform).toEqual([]);
    for (let l = 0; l < model.L; l++) {
      for (let s = 0; s < model.DS; s++) {
        if (!c.mapping.keep[l * model.DS + s]) continue;
        const where = `seed ${seed}: level ${l} ${c.problem.dataSpaces[s]!.name}`;
        expect(at(model, model.tileSize, l, s), `${where} tile`).toBe(ref.tileSize[l]![s]);
        expect(at(model, model.reads, l, s), `${where} reads`).toBe(ref.reads[l]![s]);
        expect(at(model, model.fills, l, s), `${where} fills`).toBe(ref.fills[l]![s]);
        expect(at(model, model.updates, l, s), `${where} updates`).toBe(ref.updates[l]![s]);
      }
    }
  };
  it('convolution, matmul and weight-gradient nests (1500 random mappings)', () => {
    fc.assert(fc.property(fc.noShrink(fc.integer({ min: 1, max: 2 ** 31 - 1 })), check(['conv', 'matmul', 'conv-grad-weight'])), { numRuns: 1500, seed: 4 });
  });
  it('input-gradient nests: outputs with a sliding window (500 random mappings)', () => {
    fc.assert(fc.property(fc.noShrink(fc.integer({ min: 1, max: 2 ** 31 - 1 })), check(['conv-grad-input'])), { numRuns: 500, seed: 5 });
  });
});

