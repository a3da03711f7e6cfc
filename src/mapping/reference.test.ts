import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Architecture } from '../arch/types.js';
import { Rng } from '../util/rng.js';
import { mappingFor } from './mapping.js';
import { CostModel, INVALID } from './model.js';
import { referenceCost, referenceCounts, referenceViolations } from './reference.js';
import { randomCase } from './testing/random-cases.js';

/**
 * The analytical counts against the brute-force reference (reference.ts),
 * which walks every loop iteration of every instance: random small problems
 * on random 2–4 level architectures (random fan-outs, multicast and reduction
 * flags, block sizes), random factorizations (some padded), loop orders and
 * keep/bypass choices. Exact equality is required of counts, network words
 * and cycles; energies, sums of the same products in another order, agree to
 * 1e-12 relative. Broken mappings (mutated random cases) get a reason the
 * reference's rule-by-rule check also finds.
 */
const at = (model: CostModel, arr: Float64Array, level: number, ds: number) => arr[level * model.DS + ds]!;

describe('analytical counts equal a brute-force walk of the loop nest', () => {
  const check = (kinds: string[], withPrecision = false) => (seed: number) => {
    const c = withPrecision ? withRandomPrecision(randomCase(seed, kinds), seed) : randomCase(seed, kinds);
    const named = withPrecision ? { name: 'p', readWrite: c.problem.dataSpaces.map((s) => s.readWrite) } : undefined;
    const model = new CostModel(c.problem, c.arch, named && { precision: named.name });
    expect(model.evaluate(c.mapping)).toBe(true);
    const lanes = named ? c.arch.compute.precisions[1]!.macsPerCycle : 1;
    const ref = referenceCounts(c.problem, c.arch, c.mapping, lanes);
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
    const close = (actual: number, expected: number, what: string) => expect(Math.abs(actual - expected), `seed ${seed}: ${what} ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-12 * Math.abs(expected));
    const cost = referenceCost(c.arch, ref, named);
    for (let l = 0; l < model.L; l++) {
      for (let s = 0; s < model.DS; s++) {
        expect(at(model, model.networkWords, l, s), `seed ${seed}: level ${l} data space ${s} network words`).toBe(ref.networkWords[l]![s]);
        close(at(model, model.energyPj, l, s), cost.energyPj[l]![s]!, `level ${l} data space ${s} energy`);
      }
      expect(model.levelCycles[l], `seed ${seed}: level ${l} cycles`).toBe(cost.levelCycles[l]);
      close(model.networkEnergyPj[l]!, cost.networkEnergyPj[l]!, `level ${l} network energy`);
    }
    expect(model.usedInstances[model.L], `seed ${seed}: MAC units used`).toBe(ref.instances[model.L]);
    if (named) groupsSeen.add(model.laneIterations);
    expect(model.computeCycles, `seed ${seed}: compute cycles`).toBe(cost.computeCycles);
    expect(model.cycles, `seed ${seed}: cycles`).toBe(cost.cycles);
    expect(model.paddedMacs, `seed ${seed}: padded MACs`).toBe(ref.paddedMacs);
    close(model.macEnergyPj, cost.macEnergyPj, 'MAC energy');
    close(model.leakEnergyPj, cost.leakEnergyPj, 'leakage');
    close(model.totalEnergyPj, cost.totalEnergyPj, 'total energy');
  };
  // Three runs of 500 rather than one of 1500: the test worker answers the runner between tests.
  it.each([4, 6, 7])('convolution, matmul and weight-gradient nests (500 random mappings, seed %i)', (seed) => {
    fc.assert(fc.property(fc.noShrink(fc.integer({ min: 1, max: 2 ** 31 - 1 })), check(['conv', 'matmul', 'conv-grad-weight'])), { numRuns: 500, seed });
  });
  it('input-gradient nests: outputs with a sliding window (500 random mappings)', () => {
    fc.assert(fc.property(fc.noShrink(fc.integer({ min: 1, max: 2 ** 31 - 1 })), check(['conv-grad-input'])), { numRuns: 500, seed: 5 });
  });
  const groupsSeen = new Set<number>();
  it('under a named precision: random word bits per level, operand and accumulator bits, MAC lanes (300 random mappings)', () => {
    fc.assert(fc.property(fc.noShrink(fc.integer({ min: 1, max: 2 ** 31 - 1 })), check(['conv', 'matmul', 'conv-grad-input'], true)), { numRuns: 300, seed: 8 });
    // The lanes grouped iterations in many of the cases (the check is not vacuous).
    expect([...groupsSeen].filter((g) => g > 1).length).toBeGreaterThan(3);
  });
});

/**
 * The case's architecture with each level's words 8, 16 or 32 bits wide and
 * one precision mode 'p' of 2–16 operand bits, 16 or 32 accumulator bits and
 * 1–16 MACs per cycle (lanes) (bits powers of two: widths are exact binary
 * fractions, so the model's counts in level words and the reference's in bits
 * agree exactly).
 */
function withRandomPrecision<C extends { arch: Architecture }>(c: C, seed: number): C {
  const rng = new Rng(seed ^ 0x2545f491);
  const pick = (xs: number[]) => xs[rng.int(xs.length)]!;
  const levels = c.arch.levels.map((x) => ({ ...x, wordBits: pick([8, 16, 32]) }));
  const mode = { ...c.arch.compute.precisions[0]!, name: 'p', operandBits: pick([2, 4, 8, 16]), accumulatorBits: pick([16, 32]), macsPerCycle: pick([1, 2, 3, 4, 6, 8, 16]) };
  return { ...c, arch: { ...c.arch, levels, compute: { ...c.arch.compute, precisions: [c.arch.compute.precisions[0]!, mode] } } };
}

/**
 * A random case broken on purpose, one or two rules at a time: a loop order
 * listing a dim twice, spatial factors beyond a fan-out, the outermost level
 * dropping a data space or a level keeping one its spec excludes, a dim's
 * factors short of its bound, or a level too small for its tiles.
 */
function brokenCase(seed: number) {
  const c = randomCase(seed);
  const rng = new Rng(seed ^ 0x5bd1e995);
  const m = c.mapping, L = m.levels, D = m.dims, DS = m.dataSpaces;
  let arch: Architecture = { ...c.arch, levels: c.arch.levels.map((x) => ({ ...x })) };
  const fanBelow = (l: number) => (l + 1 < L ? arch.levels[l + 1]!.fanOut : arch.compute.fanOut);
  for (let k = 1 + rng.int(2); k > 0; k--) {
    const l = rng.int(L), d = rng.int(D);
    switch (rng.int(5)) {
      case 0:
        if (D > 1) m.order[l * D + ((rng.int(D - 1) + 1 + d) % D)] = m.order[l * D + d]!;
        break;
      case 1:
        (rng.next() < 0.5 ? m.spatialX : m.spatialY)[l * D + d] = fanBelow(l).meshX + fanBelow(l).meshY;
        break;
      case 2:
        if (l === 0) m.keep[rng.int(DS)] = 0;
        else {
          const s = rng.int(DS);
          m.keep[l * DS + s] = 1;
          arch.levels[l]!.dataSpaces = c.problem.dataSpaces.filter((_, i) => i !== s).map((x) => x.name);
        }
        break;
      case 3:
        if (c.problem.bounds[d]! > 1) for (let x = 0; x < L; x++) m.temporal[x * D + d] = m.spatialX[x * D + d] = m.spatialY[x * D + d] = 1;
        break;
      default:
        arch.levels[l]!.capacityWords = 1 + rng.int(64);
    }
  }
  arch = { ...arch };
  return { problem: c.problem, arch, mapping: m };
}

describe('invalid mappings: the reason given is a rule the mapping breaks', () => {
  it('600 broken random cases, and their valid originals', () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 600; seed++) {
      const c = brokenCase(seed);
      const model = new CostModel(c.problem, c.arch);
      const valid = model.evaluate(c.mapping);
      const broken = referenceViolations(c.problem, c.arch, c.mapping);
      expect(valid, `seed ${seed}: valid, reference finds ${JSON.stringify(broken)}`).toBe(broken.length === 0);
      if (valid) continue;
      seen.add(model.invalidCode);
      const match = broken.find((v) => v.code === model.invalidCode && v.where === model.invalidWhere);
      expect(match, `seed ${seed}: model says ${model.invalidCode} at ${model.invalidWhere}; reference finds ${JSON.stringify(broken)}`).toBeDefined();
      if (match!.code !== INVALID.order) expect(model.invalidValue, `seed ${seed}: value`).toBe(match!.value);
      const original = randomCase(seed);
      expect(referenceViolations(original.problem, original.arch, original.mapping)).toEqual([]);
    }
    expect([...seen].sort()).toEqual([INVALID.factors, INVALID.fanOut, INVALID.capacity, INVALID.keep, INVALID.order]);
  });

  it('an empty mapping (all factors 1) leaves every dim with a bound above 1 short', () => {
    const c = randomCase(7);
    const m = mappingFor(c.problem, c.arch);
    const short = referenceViolations(c.problem, c.arch, m).filter((v) => v.code === INVALID.factors).map((v) => v.where);
    expect(short).toEqual(c.problem.bounds.flatMap((b, d) => (b > 1 ? [d] : [])));
  });
});
