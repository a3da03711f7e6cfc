import { describe, expect, it } from 'vitest';
import { archFromSpec } from '../arch/load.js';
import { matmulProblem } from '../problem/builders.js';
import { mappingFor, type MappingArrays } from './mapping.js';
import { CostModel, INVALID } from './model.js';
import { referenceViolations } from './reference.js';

/**
 * Hand-derived effects of a named precision on the cost model: DRAM → a
 * buffer of 16-bit words → one MAC; fp16 (16-bit operands and partial sums)
 * and int8 (8-bit operands, 16-bit partial sums, two MACs per cycle).
 */
function arch(bufferWords: number) {
  return archFromSpec({
    name: 'two-level',
    technology: 45,
    clock: 1e9,
    wordBits: 16,
    levels: [
      { name: 'DRAM', class: 'dram', blockSize: 1, sharedBandwidth: 1, energy: { read: 10, fill: 10, update: 20 } },
      { name: 'Buffer', class: 'sram', words: bufferWords, energy: { read: 1, fill: 2, update: 3 } },
    ],
    compute: {
      precisions: [
        { name: 'fp16', kind: 'float', operandBits: 16, accumulatorBits: 16, energyPerMac: 1 },
        { name: 'int8', kind: 'int', operandBits: 8, accumulatorBits: 16, macsPerCycle: 2, energyPerMac: 0.25 },
      ],
    },
  });
}

// M=1, N=8, K=16: weights K×N = 128 words, inputs 16, outputs 8; 128 MACs.
const p = matmulProblem({ M: 1, N: 8, K: 16 });
const W = 0, I = 1, O = 2;
const dim = (name: string) => p.dims.indexOf(name);

/** Everything at the buffer: each tensor crosses DRAM once. */
function wholeInBuffer(a: ReturnType<typeof arch>): MappingArrays {
  const m = mappingFor(p, a);
  m.temporal[1 * m.dims + dim('N')] = 8;
  m.temporal[1 * m.dims + dim('K')] = 16;
  return m;
}

const dramEnergy = (model: CostModel) => [W, I, O].reduce((sum, s) => sum + model.energyPj[0 * model.DS + s]!, 0);

describe('a named precision sets the width of each tensor at each level', () => {
  it('a buffer holds twice the words at int8 as at fp16: 152 words fit 76 16-bit words only at int8', () => {
    // Tiles 128 + 16 + 8 = 152 words: 152 16-bit words at fp16; at int8, 144 operand bytes and 8 16-bit partial sums = 72 + 8 = 80.
    const a = arch(76);
    const fp16 = new CostModel(p, a, { precision: 'fp16' });
    expect(fp16.evaluate(wholeInBuffer(a))).toBe(false);
    expect([fp16.invalidCode, fp16.invalidWhere, fp16.invalidValue]).toEqual([INVALID.capacity, 1, 152]);
    const int8 = new CostModel(p, a, { precision: 'int8' });
    expect(int8.evaluate(wholeInBuffer(a))).toBe(false);
    expect(int8.invalidValue).toBe(80);
    const fits = arch(80);
    expect(new CostModel(p, fits, { precision: 'int8' }).evaluate(wholeInBuffer(fits))).toBe(true);
    expect(referenceViolations(p, fits, wholeInBuffer(fits), 'int8')).toEqual([]);
    expect(referenceViolations(p, fits, wholeInBuffer(fits), 'fp16')).toEqual([{ code: INVALID.capacity, where: 1, value: 152 }]);
  });

  it("a layer's DRAM energy and DRAM-bound cycles halve from fp16 to int8 when no partial sum spills", () => {
    const a = arch(1024);
    const fp16 = new CostModel(p, a, { precision: 'fp16' });
    const int8 = new CostModel(p, a, { precision: 'int8' });
    expect(fp16.evaluate(wholeInBuffer(a)) && int8.evaluate(wholeInBuffer(a))).toBe(true);
    // fp16: reads (128 + 16) × 10 pJ + final outputs 8 × 20 pJ = 1600 pJ; int8: half the bits, 800 pJ.
    expect(dramEnergy(fp16)).toBe(1600);
    expect(dramEnergy(int8)).toBe(800);
    // DRAM at 1 16-bit word per cycle: 152 words = 152 cycles at fp16; 76 at int8 (compute: 128 and 64).
    expect([fp16.computeCycles, fp16.cycles]).toEqual([128, 152]);
    expect([int8.computeCycles, int8.cycles]).toEqual([64, 76]);
    expect(fp16.macEnergyPj).toBe(128);
    expect(int8.macEnergyPj).toBe(32);
  });

  it('partial sums spilled to DRAM move at the accumulator width, final outputs at the operand width', () => {
    // DRAM loops K=2 (outer), N=2; buffer N=4, K=8: output tiles n0, n1, n0, n1 of 4 words each.
    // DRAM: 16 output updates (8 partial, 8 final) and 8 partial-sum reads.
    const a = arch(1024);
    const m = mappingFor(p, a);
    const D = m.dims;
    m.temporal[0 * D + dim('K')] = 2;
    m.temporal[0 * D + dim('N')] = 2;
    m.temporal[1 * D + dim('N')] = 4;
    m.temporal[1 * D + dim('K')] = 8;
    const others = p.dims.filter((d) => d !== 'K' && d !== 'N');
    [...others, 'K', 'N'].forEach((name, k) => (m.order[0 * D + k] = dim(name)));
    const fp16 = new CostModel(p, a, { precision: 'fp16' });
    const int8 = new CostModel(p, a, { precision: 'int8' });
    expect(fp16.evaluate(m) && int8.evaluate(m)).toBe(true);
    expect([fp16.reads[0 * 3 + O], fp16.updates[0 * 3 + O]]).toEqual([8, 16]);
    // fp16: 8 × 10 + 16 × 20 = 400 pJ; int8: 8 × 10 + (8 × 16 bits + 8 × 8 bits = 12 words) × 20 = 320 pJ.
    expect(fp16.energyPj[0 * 3 + O]).toBe(400);
    expect(int8.energyPj[0 * 3 + O]).toBe(320);
  });

  it('without a named precision every tensor is one word of every level', () => {
    const a = arch(1024);
    const plain = new CostModel(p, a);
    const fp16 = new CostModel(p, a, { precision: 'fp16' });
    expect(plain.evaluate(wholeInBuffer(a)) && fp16.evaluate(wholeInBuffer(a))).toBe(true);
    expect(plain.totalEnergyPj).toBe(fp16.totalEnergyPj);
    expect(plain.cycles).toBe(fp16.cycles);
  });
});

/**
 * A MAC unit of 8 int4 MACs per cycle is 8 lanes: DRAM (wide) → a buffer of
 * 16-bit words, 8 words per cycle each way → one MAC unit; int4 operands,
 * 16-bit partial sums.
 */
const lanesArch = archFromSpec({
  name: 'lanes',
  technology: 45,
  clock: 1e9,
  wordBits: 16,
  levels: [
    { name: 'DRAM', class: 'dram', blockSize: 1, sharedBandwidth: 64, energy: { read: 10, fill: 10, update: 20 } },
    { name: 'Buffer', class: 'sram', words: 1024, readBandwidth: 8, writeBandwidth: 8, energy: { read: 1, fill: 2, update: 3 } },
  ],
  compute: {
    precisions: [
      { name: 'fp16', kind: 'float', operandBits: 16, accumulatorBits: 16, energyPerMac: 1 },
      { name: 'int4', kind: 'int', operandBits: 4, accumulatorBits: 16, macsPerCycle: 8, energyPerMac: 0.1 },
    ],
  },
});

/** M=1, N=8, K=`k` all at the buffer, `inner` the innermost loop. */
function bufferLoops(k: number, inner: 'K' | 'N') {
  const q = matmulProblem({ M: 1, N: 8, K: k });
  const m = mappingFor(q, lanesArch);
  const D = m.dims, at = (name: string) => q.dims.indexOf(name);
  m.temporal[1 * D + at('N')] = 8;
  m.temporal[1 * D + at('K')] = k;
  const outer = inner === 'K' ? 'N' : 'K';
  [...q.dims.filter((d) => d !== 'K' && d !== 'N'), outer, inner].forEach((name, i) => (m.order[1 * D + i] = at(name)));
  return { q, m };
}

describe("a MAC unit's lanes read a word once per group of iterations they run together", () => {
  it('K innermost: 8 lanes reduce into one partial sum, 16 updates instead of 128; compute-bound at 16 cycles', () => {
    const { q, m } = bufferLoops(16, 'K');
    const model = new CostModel(q, lanesArch, { precision: 'int4' });
    expect(model.evaluate(m)).toBe(true);
    expect(model.laneIterations).toBe(8);
    // 16 groups of 8 iterations (k0..k0+7, one n): 8 weights, 8 inputs, 1 output each.
    expect([model.reads[1 * 3 + W], model.reads[1 * 3 + I], model.updates[1 * 3 + O], model.reads[1 * 3 + O]]).toEqual([128, 128, 16, 16 - 8]);
    // Buffer reads: 128·¼ + 128·¼ + 8 = 72 words ÷ 8 = 9 cycles; writes: fills 128·¼ + 16·¼ = 36 and 16 updates = 52 ÷ 8 → 7; compute 128 ÷ 8 = 16.
    expect([model.computeCycles, model.levelCycles[1], model.cycles]).toEqual([16, 16, 16]);
  });

  it('N innermost: the lanes share one input but update 8 partial sums each cycle; write-bound at 21 cycles', () => {
    const { q, m } = bufferLoops(16, 'N');
    const model = new CostModel(q, lanesArch, { precision: 'int4' });
    expect(model.evaluate(m)).toBe(true);
    // 16 groups (n0..n7, one k): 8 weights, 1 input, 8 outputs each.
    expect([model.reads[1 * 3 + W], model.reads[1 * 3 + I], model.updates[1 * 3 + O], model.reads[1 * 3 + O]]).toEqual([128, 16, 128, 120]);
    // Reads 32 + 4 + 120 = 156 words → 20 cycles; writes 36 + 128 = 164 → 21.
    expect(model.cycles).toBe(21);
  });

  it('K = 12: the lanes take 6 iterations at a time (the largest divisor of 12 within 8)', () => {
    const { q, m } = bufferLoops(12, 'K');
    const model = new CostModel(q, lanesArch, { precision: 'int4' });
    expect(model.evaluate(m)).toBe(true);
    expect(model.laneIterations).toBe(6);
    // 96 MACs in 16 groups of 6: 16 partial-sum updates; compute still 96 ÷ 8 = 12 cycles.
    expect([model.updates[1 * 3 + O], model.reads[1 * 3 + W], model.computeCycles]).toEqual([16, 96, 12]);
  });

  it('without a named precision every MAC reads its operands: 128 partial-sum updates', () => {
    const { q, m } = bufferLoops(16, 'K');
    const model = new CostModel(q, lanesArch);
    expect(model.evaluate(m)).toBe(true);
    expect([model.laneIterations, model.updates[1 * 3 + O]]).toEqual([1, 128]);
  });
});
