import { describe, expect, it } from 'vitest';
import { precisionEfficiency } from './efficiency.js';
import { loadArch } from './load.js';

const byName = (u = 1) => Object.fromEntries(precisionEfficiency(loadArch('rapid'), u).map((e) => [e.precision, e]));

describe('RaPiD efficiency against the published chip figures (ISSCC 2021 / ISCA 2021)', () => {
  it('peak throughput agrees: 26.2 TFLOPS HFP8 and 104.9 TOPS INT4', () => {
    const e = byName();
    expect(Math.abs(e.hfp8!.peakTops - 26.2) / 26.2).toBeLessThan(0.005);
    expect(Math.abs(e.int4!.peakTops - 104.9) / 104.9).toBeLessThan(0.005);
  });

  it('TOPS/W follows from the energy table: MAC plus two operand reads and a partial-sum update per MAC at the PE registers', () => {
    const a = loadArch('rapid');
    const rf = a.levels.at(-1)!; // 16-bit words, one word per block
    const perBit = rf.energy.readPj / 16;
    const hfp8 = a.compute.precisions.find((p) => p.name === 'hfp8')!;
    const int4 = a.compute.precisions.find((p) => p.name === 'int4')!;
    // per MAC: the MAC, 2 × 8 operand bits and 16 accumulator bits (hfp8); 2 × 4 and 16 (int4); 2 ops per MAC
    expect(byName().hfp8!.topsPerWatt).toBeCloseTo(2 / (hfp8.energyPerMacPj + 32 * perBit), 6);
    expect(byName().int4!.topsPerWatt).toBeCloseTo(2 / (int4.energyPerMacPj + 24 * perBit), 6);
  });

  it('the energy model misses the published efficiencies (3.5 TFLOPS/W HFP8, 16.5 TOPS/W INT4): too optimistic at HFP8, too pessimistic at INT4', () => {
    // documented in docs/precision.md; this pins the disagreement so that a change to the energy table shows here
    const e = byName();
    expect(e.hfp8!.topsPerWatt).toBeGreaterThan(3.5);
    expect(e.int4!.topsPerWatt).toBeLessThan(16.5);
    // the published INT4/HFP8 efficiency ratio is 4.7; the model's is far smaller, because the 16-bit accumulator traffic per MAC does not shrink with the operands
    expect(e.int4!.topsPerWatt / e.hfp8!.topsPerWatt).toBeLessThan(16.5 / 3.5);
  });

  it('cannot be calibrated by per-precision MAC energies: the published figures and the model, per MAC and per PE-cycle (docs/precision.md)', () => {
    const a = loadArch('rapid');
    const e = byName();
    const peCyclesPerSecond = a.compute.instances * a.cores.count * a.clockHz; // 512 PEs at 1.6 GHz
    // published: power at peak = TOPS ÷ TOPS/W; 26.2 / 3.5 = 7.486 W and 104.9 / 16.5 = 6.358 W
    const chipW = { hfp8: 26.2 / 3.5, int4: 104.9 / 16.5 };
    expect(chipW.hfp8).toBeCloseTo(7.486, 3);
    expect(chipW.int4).toBeCloseTo(6.358, 3);
    // per PE-cycle: 7.486 W / 819.2 G PE-cycles/s = 9.14 pJ (16 MACs); 6.358 W → 7.76 pJ (64 MACs); per MAC 2 / (TOPS/W)
    expect((chipW.hfp8 / peCyclesPerSecond) * 1e12).toBeCloseTo(9.14, 2);
    expect((chipW.int4 / peCyclesPerSecond) * 1e12).toBeCloseTo(7.76, 2);
    // the chip spends less per PE-cycle at INT4 than at HFP8; the model spends more (16-bit partial-sum updates per MAC, 4× the MACs)
    const perPeCycle = (p: 'hfp8' | 'int4') => 2 * e[p]!.pjPerOp.total * a.compute.precisions.find((m) => m.name === p)!.macsPerCycle;
    expect(perPeCycle('int4')).toBeGreaterThan(2 * perPeCycle('hfp8'));
    // at INT4 the model's register traffic per MAC alone exceeds the chip's whole energy per MAC (2 / 16.5 = 0.121 pJ):
    // no MAC energy ≥ 0 reaches 16.5 TOPS/W with these register energies
    expect(2 * e.int4!.pjPerOp.operands).toBeGreaterThan(2 / 16.5);
  });

  it('scales delivered TOPS with utilization; TOPS/mm² is peak over the modeled area of the four cores', () => {
    const a = loadArch('rapid');
    expect(byName(0.5).int4!.tops).toBeCloseTo(byName().int4!.peakTops / 2, 9);
    const coreMm2 = (a.levels.reduce((s, l) => s + l.areaUm2 * l.instances, 0) + a.compute.areaUm2 * a.compute.instances + a.vector.areaUm2) / 1e6;
    expect(byName().int4!.topsPerMm2).toBeCloseTo(104.86 / (4 * coreMm2), 1);
  });
});
