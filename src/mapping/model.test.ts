import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { archFromSpec } from '../arch/load.js';
import { convProblem, matmulProblem } from '../problem/builders.js';
import { dataSpaceFootprint } from '../problem/types.js';
import { mappingFor, paddedBound, type MappingArrays } from './mapping.js';
import { describe as describeCost, invalidReason } from './cost.js';
import { gridDistinct } from './kernel.js';
import { CostModel, INVALID } from './model.js';
import { randomCase } from './testing/random-cases.js';

/** DRAM → Buffer → MACs, with the fan-out into the MACs given. */
function twoLevel(opts: { macsX?: number; multicast?: boolean; reduction?: boolean; dramBandwidth?: number } = {}) {
  return archFromSpec({
    name: 'two-level',
    technology: 45,
    clock: 1e9,
    levels: [
      { name: 'DRAM', class: 'dram', blockSize: 4, sharedBandwidth: opts.dramBandwidth ?? 1000, energy: { read: 10, fill: 10, update: 20 } },
      { name: 'Buffer', class: 'sram', words: 1024, energy: { read: 1, fill: 2, update: 3 } },
    ],
    compute: { fanOut: { x: opts.macsX ?? 1, multicast: opts.multicast ?? true, reduction: opts.reduction ?? true }, precisions: [{ name: 'int16', operandBits: 16, energyPerMac: 0.5 }] },
  });
}

/** DRAM → RF (fan-out `x` from DRAM into RF instances) → one MAC each. */
function fannedRf(x: number, multicast = true, reduction = true) {
  return archFromSpec({
    name: 'fanned',
    technology: 45,
    clock: 1e9,
    levels: [
      { name: 'DRAM', class: 'dram', energy: { read: 1 } },
      { name: 'RF', class: 'regfile', words: 64, fanOut: { x, multicast, reduction, energyPerWord: 0 }, energy: { read: 1 } },
    ],
    compute: { precisions: [{ name: 'int16', operandBits: 16, energyPerMac: 1 }] },
  });
}

function set(m: MappingArrays, dims: string[], level: number, kind: 'temporal' | 'spatialX', factors: Record<string, number>, orderOuterFirst?: string[]) {
  const D = m.dims;
  for (const [name, f] of Object.entries(factors)) m[kind][level * D + dims.indexOf(name)] = f;
  if (orderOuterFirst) {
    const rest = dims.filter((d) => !orderOuterFirst.includes(d));
    [...rest, ...orderOuterFirst].forEach((name, k) => (m.order[level * D + k] = dims.indexOf(name)));
  }
}

const at = (model: CostModel, arr: Float64Array, level: number, ds: number) => arr[level * model.DS + ds]!;
const W = 0, I = 1, O = 2;

describe('hand-derived cases', () => {
  it('matmul held whole in the buffer: compulsory traffic only', () => {
    // M=2, N=3, K=4: Weights K×N = 12, Inputs M×K = 8, Outputs M×N = 6; 24 MACs on one MAC unit.
    const p = matmulProblem({ M: 2, N: 3, K: 4 });
    const arch = twoLevel({ dramBandwidth: 1 });
    const m = mappingFor(p, arch);
    set(m, p.dims, 1, 'temporal', { M: 2, N: 3, K: 4 });
    const model = new CostModel(p, arch);
    expect(model.evaluate(m)).toBe(true);
    // The buffer is filled once with each operand; outputs start there (first write needs no fill).
    expect([at(model, model.fills, 1, W), at(model, model.fills, 1, I), at(model, model.fills, 1, O)]).toEqual([12, 8, 0]);
    // DRAM: operands read once; outputs written back once, never read (6 updates − partition 6).
    expect([at(model, model.reads, 0, W), at(model, model.reads, 0, I), at(model, model.reads, 0, O)]).toEqual([12, 8, 0]);
    expect(at(model, model.updates, 0, O)).toBe(6);
    // The MAC reads both operands at every MAC and updates the output: 24 updates, 24 − 6 reads.
    expect([at(model, model.reads, 1, W), at(model, model.reads, 1, I), at(model, model.reads, 1, O), at(model, model.updates, 1, O)]).toEqual([24, 24, 18, 24]);
    // Cycles: 24 compute cycles; DRAM moves 12 + 8 + 6 = 26 words at 1 word/cycle → slowdown 24/26 → 26 cycles.
    expect(model.computeCycles).toBe(24);
    expect(model.cycles).toBe(26);
    expect(model.utilization).toBeCloseTo(24 / 26, 12);
    // Energy: DRAM blocks of 4 words: reads ceil(12/4)+ceil(8/4) = 5 × 10 pJ, updates ceil(6/4) = 2 × 20 pJ;
    // buffer (block 1): fills 20 × 2 pJ, reads 24+24+18 = 66 × 1 pJ, updates 24 × 3 pJ; MACs 24 × 0.5 pJ.
    expect(model.totalEnergyPj).toBe(5 * 10 + 2 * 20 + 20 * 2 + 66 * 1 + 24 * 3 + 24 * 0.5);
  });

  it('1-D convolution: a sliding window refetches only the new input row', () => {
    // P=4 outputs, R=3 taps → 6 inputs. DRAM steps P (outer), the buffer holds R (a 3-wide window).
    const p = convProblem({ N: 1, K: 1, C: 1, P: 4, Q: 1, R: 3, S: 1 });
    const arch = twoLevel();
    const m = mappingFor(p, arch);
    set(m, p.dims, 0, 'temporal', { P: 4 });
    set(m, p.dims, 1, 'temporal', { R: 3 });
    const model = new CostModel(p, arch);
    expect(model.evaluate(m)).toBe(true);
    // Inputs: first window 3, then each of the 3 P steps slides by 1 → 3 + 3·1 = 6 (each input once).
    expect(at(model, model.fills, 1, I)).toBe(6);
    // Weights: 3 taps, P is irrelevant → fetched once.
    expect(at(model, model.fills, 1, W)).toBe(3);
    // Outputs: one per P step, 4 in all, each held once → fills 4 − 4 = 0; DRAM gets 4 updates.
    expect(at(model, model.fills, 1, O)).toBe(0);
    expect(at(model, model.partition, 1, O)).toBe(4);
    expect(at(model, model.updates, 0, O)).toBe(4);
    // 12 MACs: buffer reads 12 inputs, 12 weights; 12 output updates, 12 − 4 reads.
    expect([at(model, model.reads, 1, I), at(model, model.reads, 1, W), at(model, model.reads, 1, O)]).toEqual([12, 12, 8]);
  });

  it('1-D convolution with the loops swapped: the window slides along R', () => {
    // DRAM steps R (outer); the buffer holds P=4 → an input window of 4 that slides by the dilation (1).
    const p = convProblem({ N: 1, K: 1, C: 1, P: 4, Q: 1, R: 3, S: 1 });
    const arch = twoLevel();
    const m = mappingFor(p, arch);
    set(m, p.dims, 0, 'temporal', { R: 3 });
    set(m, p.dims, 1, 'temporal', { P: 4 });
    const model = new CostModel(p, arch);
    expect(model.evaluate(m)).toBe(true);
    expect(at(model, model.fills, 1, I)).toBe(4 + 2 * 1);
    expect(at(model, model.fills, 1, W)).toBe(3);
    // Outputs: the same 4 partial sums stay in the buffer across R → written back once.
    expect(at(model, model.updates, 0, O)).toBe(4);
    expect(at(model, model.reads, 0, O)).toBe(0);
  });

  it('a window that jumps back is refetched whole', () => {
    // DRAM: P=2 (outer) then R=3 (inner); the buffer holds P=2, R=1 → input window 2.
    // R steps slide forward by 1 (slab 1); the P step rewinds R by 2 and moves P by 2: net 0 → same window.
    // Sequence of windows (start): 0,1,2 | 2,3,4 → fills 2 + (1 + 1) + 0 + (1 + 1) = 6.
    const p = convProblem({ N: 1, K: 1, C: 1, P: 4, Q: 1, R: 3, S: 1 });
    const arch = twoLevel();
    const m = mappingFor(p, arch);
    set(m, p.dims, 0, 'temporal', { P: 2, R: 3 }, ['P', 'R']);
    set(m, p.dims, 1, 'temporal', { P: 2 });
    const model = new CostModel(p, arch);
    expect(model.evaluate(m)).toBe(true);
    expect(at(model, model.fills, 1, I)).toBe(6);
    // With stride 2 the P step moves the window by 4 − 2 = +2 ≥ its extent 3? no: extent (2−1)·2 + 1 = 3, so it
    // overlaps by 1 and slides forward like the R steps: windows 0,1,2 | 4,5,6 → 3 + 1 + 1 + 2 + 1 + 1 = 9.
    const p2 = convProblem({ N: 1, K: 1, C: 1, P: 4, Q: 1, R: 3, S: 1, strideH: 2 });
    const model2 = new CostModel(p2, arch);
    expect(model2.evaluate(m)).toBe(true);
    expect(at(model2, model2.fills, 1, I)).toBe(9);
  });

  it('multicast: one DRAM read feeds every RF that needs the word', () => {
    // M=N=K=2; DRAM fans out N=2 into two RFs; each RF runs M=2, K=2.
    const p = matmulProblem({ M: 2, N: 2, K: 2 });
    for (const multicast of [true, false]) {
      const arch = fannedRf(2, multicast);
      const m = mappingFor(p, arch);
      set(m, p.dims, 0, 'spatialX', { N: 2 });
      set(m, p.dims, 1, 'temporal', { M: 2, K: 2 });
      const model = new CostModel(p, arch);
      expect(model.evaluate(m)).toBe(true);
      // Per RF: weights K×1 = 2, inputs M×K = 4 (the same in both RFs), outputs M×1 = 2.
      expect([at(model, model.fills, 1, W), at(model, model.fills, 1, I), at(model, model.fills, 1, O)]).toEqual([2, 4, 0]);
      // DRAM: weights differ per RF (2 × 2); inputs are shared: 4 with multicast, 8 without.
      expect(at(model, model.reads, 0, W)).toBe(4);
      expect(at(model, model.reads, 0, I)).toBe(multicast ? 4 : 8);
      expect(at(model, model.updates, 0, O)).toBe(4);
    }
  });

  it('spatial reduction: partial sums of the same output are added on the way up', () => {
    // DRAM fans out K=2 (the reduced dim); each RF computes a 2×2 partial output over its K slice.
    const p = matmulProblem({ M: 2, N: 2, K: 2 });
    for (const reduction of [true, false]) {
      const arch = fannedRf(2, true, reduction);
      const m = mappingFor(p, arch);
      set(m, p.dims, 0, 'spatialX', { K: 2 });
      set(m, p.dims, 1, 'temporal', { M: 2, N: 2 });
      const model = new CostModel(p, arch);
      expect(model.evaluate(m)).toBe(true);
      // Reduced in the network: 4 updates reach DRAM; otherwise both RFs write all 4 (8 updates) and
      // the second write of each element needs a read (8 − 4 = 4 reads).
      expect(at(model, model.updates, 0, O)).toBe(reduction ? 4 : 8);
      expect(at(model, model.reads, 0, O)).toBe(reduction ? 0 : 4);
    }
  });

  it('diagonal reuse: PEs on p + r read the same input row once', () => {
    // P=2 and R=2 spread over 4 RFs: input rows p + r ∈ {0, 1, 2} → 3 distinct of 4 (Eyeriss' diagonals).
    const p = convProblem({ N: 1, K: 1, C: 1, P: 2, Q: 1, R: 2, S: 1 });
    const arch = fannedRf(4);
    const m = mappingFor(p, arch);
    set(m, p.dims, 0, 'spatialX', { P: 2, R: 2 });
    const model = new CostModel(p, arch);
    expect(model.evaluate(m)).toBe(true);
    expect(at(model, model.reads, 0, I)).toBe(3);
    expect(gridDistinct(1, 2, 1, 2)).toBe(3);
    expect(gridDistinct(2, 3, 1, 3)).toBe(7); // 2i + j over 3×3: {0…6}
    expect(gridDistinct(1, 2, 2, 2)).toBe(4); // i + 2j: no collisions
  });

  it('pads a dimension whose factors overshoot its bound', () => {
    // P = 5 mapped as 2 × 3 = 6: the nest runs 6 iterations; MACs stay 5 · 3 = 15.
    const p = convProblem({ N: 1, K: 1, C: 1, P: 5, Q: 1, R: 3, S: 1 });
    const arch = twoLevel();
    const m = mappingFor(p, arch);
    set(m, p.dims, 0, 'temporal', { P: 2 });
    set(m, p.dims, 1, 'temporal', { P: 3, R: 3 });
    const model = new CostModel(p, arch);
    expect(model.evaluate(m)).toBe(true);
    expect(paddedBound(m, p.dims.indexOf('P'))).toBe(6);
    expect(model.realMacs).toBe(15);
    expect(model.paddedMacs).toBe(18);
    expect(model.computeCycles).toBe(18);
    expect(model.utilization).toBeCloseTo(15 / 18, 12);
    // The padded tile moves data too: inputs of the padded nest span (6 − 1) + 3 = 8 rows, outputs 6.
    expect(at(model, model.fills, 1, I)).toBe(8);
    expect(at(model, model.updates, 0, O)).toBe(6);
  });
});

describe('invalid mappings say why', () => {
  const p = matmulProblem({ M: 4, N: 4, K: 4 });
  it('factors that do not cover a bound', () => {
    const arch = twoLevel();
    const m = mappingFor(p, arch);
    set(m, p.dims, 1, 'temporal', { M: 4, N: 2, K: 4 });
    const model = new CostModel(p, arch);
    expect(model.evaluate(m)).toBe(false);
    expect(model.invalidCode).toBe(INVALID.factors);
    expect(p.dims[model.invalidWhere]).toBe('N');
  });
  it('a fan-out exceeded', () => {
    const arch = fannedRf(2);
    const m = mappingFor(p, arch);
    set(m, p.dims, 0, 'spatialX', { M: 4 });
    set(m, p.dims, 1, 'temporal', { N: 4, K: 4 });
    const model = new CostModel(p, arch);
    expect(model.evaluate(m)).toBe(false);
    expect(model.invalidCode).toBe(INVALID.fanOut);
    expect(model.invalidValue).toBe(4);
  });
  it('a level over capacity', () => {
    const arch = fannedRf(1); // RF of 64 words: 16 + 16 + 16 = 48 fits, 4×4×4 tiles of 16 each …
    const m = mappingFor(p, arch);
    set(m, p.dims, 1, 'temporal', { M: 4, N: 4, K: 4 });
    const model = new CostModel(p, arch);
    expect(model.evaluate(m)).toBe(true);
    const big = matmulProblem({ M: 8, N: 4, K: 4 }); // … 32 + 16 + 32 = 80 > 64
    const m2 = mappingFor(big, arch);
    set(m2, big.dims, 1, 'temporal', { M: 8, N: 4, K: 4 });
    const model2 = new CostModel(big, arch);
    expect(model2.evaluate(m2)).toBe(false);
    expect(model2.invalidCode).toBe(INVALID.capacity);
    expect(model2.invalidValue).toBe(80);
  });
  it('a fan-out exceeded by factors whose product overflows 32 bits', () => {
    const arch = fannedRf(2);
    const m = mappingFor(p, arch);
    set(m, p.dims, 0, 'spatialX', { M: 65536, N: 65536 }); // 2^32 instances (padded dims)
    set(m, p.dims, 1, 'temporal', { K: 4 });
    const model = new CostModel(p, arch);
    expect(model.evaluate(m)).toBe(false);
    expect(model.invalidCode).toBe(INVALID.fanOut);
    expect(model.invalidValue).toBe(2 ** 32);
  });
  it('a loop order naming a dim that does not exist', () => {
    const arch = twoLevel();
    const m = mappingFor(p, arch);
    set(m, p.dims, 1, 'temporal', { M: 4, N: 4, K: 4 });
    m.order[m.order.indexOf(0)] = 32; // at level 0, in place of dim 0: a shift by 32 is a shift by 0
    const model = new CostModel(p, arch);
    expect(model.evaluate(m)).toBe(false);
    expect(model.invalidCode).toBe(INVALID.order);
  });
  it('a loop order that lists a dim twice', () => {
    const arch = twoLevel();
    const m = mappingFor(p, arch);
    set(m, p.dims, 1, 'temporal', { M: 4, N: 4, K: 4 });
    m.order[p.dims.length + 1] = m.order[p.dims.length]!; // level 1 lists its first dim twice
    const model = new CostModel(p, arch);
    expect(model.evaluate(m)).toBe(false);
    expect(model.invalidCode).toBe(INVALID.order);
    expect(model.invalidWhere).toBe(1);
    expect(invalidReason(model)).toMatch(/^the loop order of Buffer does not list every dimension \(.*\) exactly once$/);
  });
});

describe('kernels given back', () => {
  it('evaluate a new model as a new kernel does, whatever the last model laid out in them; the model that gave one back may not evaluate', () => {
    const seeds = fc.noShrink(fc.integer({ min: 1, max: 2 ** 31 - 1 }));
    fc.assert(
      fc.property(seeds, seeds, (s1, s2) => {
        const first = randomCase(s1), next = randomCase(s2);
        const previous = new CostModel(first.problem, first.arch);
        previous.evaluate(first.mapping);
        previous.release();
        expect(() => previous.evaluate(first.mapping)).toThrow(/after release/);
        const reused = new CostModel(next.problem, next.arch); // takes the kernel just given back
        const fresh = new CostModel(next.problem, next.arch); // none left: a new one
        expect(reused.evaluate(next.mapping)).toBe(fresh.evaluate(next.mapping));
        expect(describeCost(reused, next.mapping)).toEqual(describeCost(fresh, next.mapping));
        reused.release();
        fresh.release();
      }),
      { numRuns: 200, seed: 11 },
    );
  });
});

describe('invariants', () => {
  const seeds = fc.noShrink(fc.integer({ min: 1, max: 2 ** 31 - 1 }));
  it('MACs are the problem’s; padding only adds iterations', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const c = randomCase(seed);
        const model = new CostModel(c.problem, c.arch);
        expect(model.evaluate(c.mapping)).toBe(true);
        expect(model.realMacs).toBe(c.problem.bounds.reduce((a, b) => a * b, 1));
        const padded = c.problem.dims.reduce((a, _, d) => a * paddedBound(c.mapping, d), 1);
        expect(model.paddedMacs).toBe(padded);
        expect(model.paddedMacs).toBeGreaterThanOrEqual(model.realMacs);
      }),
      { numRuns: 300, seed: 6 },
    );
  });
  it('the backing store moves at least every element once', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const c = randomCase(seed);
        const model = new CostModel(c.problem, c.arch);
        expect(model.evaluate(c.mapping)).toBe(true);
        c.problem.dataSpaces.forEach((ds, s) => {
          const compulsory = dataSpaceFootprint(c.problem, ds);
          expect(ds.readWrite ? at(model, model.updates, 0, s) : at(model, model.reads, 0, s)).toBeGreaterThanOrEqual(compulsory);
        });
      }),
      { numRuns: 300, seed: 7 },
    );
  });
  it('more bandwidth is never slower', () => {
    fc.assert(
      fc.property(seeds, fc.integer({ min: 2, max: 8 }), (seed, factor) => {
        const c = randomCase(seed);
        const faster = { ...c.arch, levels: c.arch.levels.map((l) => ({ ...l, readBandwidth: l.readBandwidth * factor, writeBandwidth: l.writeBandwidth * factor, sharedBandwidth: l.sharedBandwidth * factor })) };
        const a = new CostModel(c.problem, c.arch), b = new CostModel(c.problem, faster);
        expect(a.evaluate(c.mapping) && b.evaluate(c.mapping)).toBe(true);
        expect(b.cycles).toBeLessThanOrEqual(a.cycles);
        expect(a.cycles).toBeGreaterThanOrEqual(a.computeCycles);
      }),
      { numRuns: 300, seed: 8 },
    );
  });
});
