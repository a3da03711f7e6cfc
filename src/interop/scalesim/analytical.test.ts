import { describe, expect, it } from 'vitest';
import { simulateLayer } from '../../sim/systolic/simulate.js';
import { DATAFLOWS, type SystolicArraySpec, type SystolicLayer } from '../../sim/systolic/types.js';
import { presetPath } from '../../util/paths.js';
import { compareWithSimulator, type SimulatorModelAgreement } from './analytical.js';
import { readTopology } from './topology.js';

/**
 * The cycle-level simulator against the analytical cost model on the same
 * SCALE-Sim configurations (see analytical.ts for how a configuration and a
 * layer become a problem, an architecture and a mapping). What must agree:
 *
 * - MACs: exactly.
 * - SRAM traffic (ifmap reads, filter reads, ofmap writes, ofmap partial-sum
 *   reads): exactly when the array divides the dataflow's spatial extents;
 *   otherwise the model streams the last fold's padding, so its count is the
 *   simulator's times padded ÷ true extent of each array dimension that
 *   indexes the operand — exactly.
 * - Cycles: the model's are the throughput cycles, folds × stream length;
 *   the simulator's exceed them by exactly the fill and drain of every fold
 *   (2R + C − 2 for ws and is, R + C − 2 for os, on an R × C array).
 * - Utilization: the model's equals the simulator's mapping efficiency.
 */
function expectAgreement(a: SimulatorModelAgreement): void {
  const where = `${a.layer} ${a.dataflow}`;
  expect(a.macs.model, `${where} MACs`).toBe(a.macs.simulated);
  expect(a.cycles.model, `${where} model cycles`).toBe(a.folds * a.cycles.stream);
  expect(a.cycles.simulated - a.cycles.model, `${where} fill and drain`).toBe(a.folds * a.cycles.fillDrainPerFold);
  for (const [name, s] of Object.entries(a.sram)) {
    expect(s.model * s.den, `${where} ${name}: model ${s.model}, simulated ${s.simulated} × ${s.num}/${s.den}`).toBe(s.simulated * s.num);
  }
  expect(a.utilization.model, `${where} utilization`).toBeCloseTo(a.utilization.mappingEfficiency, 12);
}

const spec = (rows: number, cols: number, dataflow: SystolicArraySpec['dataflow']): SystolicArraySpec => ({ rows, cols, dataflow, sramWords: { ifmap: 1 << 16, filter: 1 << 16, ofmap: 1 << 16 }, dramBandwidth: 'calc' });
const gemm = (name: string, m: number, n: number, k: number): SystolicLayer => ({ kind: 'gemm', name, m, n, k });
const agree = (s: SystolicArraySpec, layer: SystolicLayer) => compareWithSimulator(s, layer, simulateLayer(s, layer));

describe('cycle-level simulator against the analytical model', () => {
  it('a 5 × 3 × 4 GEMM on a 4 × 4 weight-stationary array, by hand', () => {
    // One fold (window 4 on the 4 rows, 3 filters on 3 of the 4 columns), 5 pixels streamed:
    // the model counts 5 cycles, the simulator 5 + 2·4 + 4 − 2 = 15 (its hand-derived figure).
    const a = agree(spec(4, 4, 'ws'), gemm('g', 5, 3, 4));
    expect([a.cycles.model, a.cycles.simulated]).toEqual([5, 15]);
    // Each of the 12 weights read once; each pixel's window read once per column fold (20);
    // 15 outputs written once, never read back (a single row fold).
    expect([a.sram.filterReads.model, a.sram.ifmapReads.model, a.sram.ofmapWrites.model, a.sram.ofmapReads.model]).toEqual([12, 20, 15, 0]);
    expect(a.utilization.model).toBe(12 / 16);
    expectAgreement(a);
  });

  it('exactly, where the array divides the spatial extents (BERT attention GEMMs on 32 × 32; a GEMM and a convolution on 8 × 8)', () => {
    const bert = readTopology(presetPath('scalesim', 'transformer_gemm.csv'), 'gemm').filter((l) => l.name === 'Scores' || l.name === 'Context');
    // 4 × 4 outputs (16 pixels) of a 3 × 3 × 8 window (72), 16 filters: all multiples of 8.
    const conv: SystolicLayer = { kind: 'conv', name: 'conv8', ifmapHeight: 6, ifmapWidth: 6, filterHeight: 3, filterWidth: 3, channels: 8, filters: 16, strideHeight: 1, strideWidth: 1 };
    const cases: [number, SystolicLayer][] = [...bert.map((l): [number, SystolicLayer] => [32, l]), [8, gemm('g8', 16, 24, 40)], [8, conv]];
    for (const [size, layer] of cases) {
      for (const dataflow of DATAFLOWS) {
        const a = agree(spec(size, size, dataflow), layer);
        for (const s of Object.values(a.sram)) expect(s.num).toBe(s.den);
        expectAgreement(a);
      }
    }
  });

  it('up to the padding of the last fold, exactly, where it does not (odd shapes, strides, non-square arrays)', () => {
    const layers: SystolicLayer[] = [
      { kind: 'conv', name: 'strided', ifmapHeight: 11, ifmapWidth: 9, filterHeight: 3, filterWidth: 2, channels: 3, filters: 10, strideHeight: 2, strideWidth: 3 },
      gemm('small', 3, 2, 5),
      gemm('tall', 37, 5, 70),
      ...readTopology(presetPath('scalesim', 'resnet18.csv'), 'conv').filter((l) => l.name === 'FC' || l.name === 'L3B1Down'),
    ];
    for (const [rows, cols] of [[8, 8], [16, 4], [4, 12]] as const) {
      for (const layer of layers) for (const dataflow of DATAFLOWS) expectAgreement(agree(spec(rows, cols, dataflow), layer));
    }
  });
});
