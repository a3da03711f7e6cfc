import { describe, expect, it } from 'vitest';
import { precisionEfficiency } from './efficiency.js';
import { loadArch } from './load.js';
import { mappingFor } from '../mapping/mapping.js';
import { CostModel } from '../mapping/model.js';
import { matmulProblem } from '../problem/builders.js';

const byName = (u = 1) => Object.fromEntries(precisionEfficiency(loadArch('rapid'), u).map((e) => [e.precision, e]));

describe('RaPiD efficiency against the published chip figures (ISSCC 2021 / ISCA 2021)', () => {
  it('peak throughput agrees: 26.2 TFLOPS HFP8 and 104.9 TOPS INT4', () => {
    const e = byName();
    expect(Math.abs(e.hfp8!.peakTops - 26.2) / 26.2).toBeLessThan(0.005);
    expect(Math.abs(e.int4!.peakTops - 104.9) / 104.9).toBeLessThan(0.005);
  });

  it('TOPS/W follows from the energy table with the lanes of the cost model: per MAC, the MAC, two operand reads and a partial-sum read and update per lane group', () => {
    // Worked by hand from presets/arch/rapid.yaml and the energy table's figures:
    // PE registers: 0.0972222 pJ per 16-bit word read or update (one word per block) = 0.00607639 pJ per bit.
    // hfp8, 16 lanes: MAC 0.105 pJ; operands 2 × 8 bits; one 16-bit partial sum read and updated per 16 MACs = 2 bits per MAC;
    //   0.105 + 18 × 0.00607639 = 0.214375 pJ per MAC → 2 ops ÷ 0.214375 pJ = 9.329 TOPS/W.
    // int4, 64 lanes: MAC 0.0155556 pJ; operands 2 × 4 bits; 2 × 16 ÷ 64 = 0.5 partial-sum bits per MAC;
    //   0.0155556 + 8.5 × 0.00607639 = 0.0672049 pJ → 29.76 TOPS/W.
    // (A 16-bit partial-sum update per MAC, the rule before lanes, gives 6.68 and 12.39.)
    const e = byName();
    expect(e.hfp8!.topsPerWatt).toBeCloseTo(9.329, 2);
    expect(e.int4!.topsPerWatt).toBeCloseTo(29.76, 1);
    expect(2 * e.int4!.pjPerOp.operands).toBeCloseTo(0.0516493, 6);
  });

  it("is the cost model's count for a dot product in the PE registers: a 256-term reduction at int4 in groups of 64 lanes", () => {
    const a = loadArch('rapid');
    const q = matmulProblem({ M: 1, N: 1, K: 256 });
    const m = mappingFor(q, a);
    const D = m.dims, pe = a.levels.length - 1, at = (d: string) => q.dims.indexOf(d);
    m.temporal[pe * D + at('K')] = 256; // everything in the PE registers, K the innermost loop
    [...q.dims.filter((d) => d !== 'K'), 'K'].forEach((d, i) => (m.order[pe * D + i] = at(d)));
    const model = new CostModel(q, a, { precision: 'int4' });
    expect(model.evaluate(m)).toBe(true);
    const [W, I, O] = ['Weights', 'Inputs', 'Outputs'].map((n) => pe * 3 + q.dataSpaces.findIndex((s) => s.name === n));
    // 4 groups of 64: each lane its own weight and input; one partial-sum update per group, read but for the first
    expect(model.laneIterations).toBe(64);
    expect([model.reads[W!], model.reads[I!], model.updates[O!], model.reads[O!]]).toEqual([256, 256, 4, 3]);
    // the same bits per MAC as the efficiency figure once the first write's read is counted as the steady state does
    const { readPj, updatePj } = a.levels[pe]!.energy; // per 16-bit word
    const pj = (((256 + 256) * 4 + (3 + 1) * 16) * readPj) / 16 + (4 * 16 * updatePj) / 16;
    expect(pj / 256).toBeCloseTo(2 * byName().int4!.pjPerOp.operands, 12);
  });

  it('the energy model overshoots the published efficiencies (3.5 TFLOPS/W HFP8, 16.5 TOPS/W INT4), by more at HFP8 than at INT4', () => {
    // documented in docs/precision.md; this pins the disagreement so that a change to the energy table shows here
    const e = byName();
    // model ÷ published: 9.33 / 3.5 = 2.67 at HFP8, 29.76 / 16.5 = 1.80 at INT4
    expect(e.hfp8!.topsPerWatt / 3.5).toBeGreaterThan(2.5);
    expect(e.int4!.topsPerWatt / 16.5).toBeGreaterThan(1.7);
    expect(e.int4!.topsPerWatt / 16.5).toBeLessThan(e.hfp8!.topsPerWatt / 3.5);
    // the published INT4/HFP8 efficiency ratio is 4.7; the model's is 29.76 / 9.33 = 3.19
    expect(e.int4!.topsPerWatt / e.hfp8!.topsPerWatt).toBeLessThan(16.5 / 3.5);
  });

  it('the published figures and the model, per MAC and per PE-cycle (docs/precision.md)', () => {
    const a = loadArch('rapid');
    const e = byName();
    const peCyclesPerSecond = a.compute.instances * a.cores.count * a.clockHz; // 512 PEs at 1.6 GHz
    // published: power at peak = TOPS ÷ TOPS/W; 26.2 / 3.5 = 7.486 W and 104.9 / 16.5 = 6.358 W
    const chipW = { hfp8: 26.2 / 3.5, int4: 104.9 / 16.5 };
    expect(chipW.hfp8).toBeCloseTo(7.486, 3);
    expect(chipW.int4).toBeCloseTo(6.358, 3);
    // per PE-cycle: 7.486 W / 819.2 G PE-cycles/s = 9.14 pJ (16 MACs); 6.358 W → 7.76 pJ (64 MACs)
    expect((chipW.hfp8 / peCyclesPerSecond) * 1e12).toBeCloseTo(9.14, 2);
    expect((chipW.int4 / peCyclesPerSecond) * 1e12).toBeCloseTo(7.76, 2);
    // the model per PE-cycle: 16 × 0.214375 = 3.43 pJ at HFP8, 64 × 0.0672049 = 4.30 pJ at INT4:
    // the chip spends 15 % less per PE-cycle at INT4, the model 25 % more (its operand bits per cycle are 2× HFP8's)
    const perPeCycle = (p: 'hfp8' | 'int4') => 2 * e[p]!.pjPerOp.total * a.compute.precisions.find((m) => m.name === p)!.macsPerCycle;
    expect(perPeCycle('hfp8')).toBeCloseTo(3.43, 2);
    expect(perPeCycle('int4')).toBeCloseTo(4.301, 2);
    // the model's INT4 register traffic (0.0516 pJ per MAC) is now under the chip's 0.121 pJ per MAC (2 / 16.5)
    expect(2 * e.int4!.pjPerOp.operands).toBeLessThan(2 / 16.5);
  });

  it('scales delivered TOPS with utilization; TOPS/mm² is peak over the modeled area of the four cores', () => {
    const a = loadArch('rapid');
    expect(byName(0.5).int4!.tops).toBeCloseTo(byName().int4!.peakTops / 2, 9);
    const coreMm2 = (a.levels.reduce((s, l) => s + l.areaUm2 * l.instances, 0) + a.compute.areaUm2 * a.compute.instances + a.vector.areaUm2) / 1e6;
    expect(byName().int4!.topsPerMm2).toBeCloseTo(104.86 / (4 * coreMm2), 1);
  });
});
