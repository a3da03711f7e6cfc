import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulateLayer } from './simulate.js';
import type { Dataflow, SystolicLayer } from './types.js';

/**
 * The stepped simulator against SCALE-Sim's closed form, on many small
 * random layers: every fold takes 2R + C + T − 2 cycles under ws and is, and
 * R + C + T − 2 under os (R × C array, T the temporal extent), whatever share
 * of the array it maps; and the SRAM traffic is what the mapping implies.
 */
const dataflow = fc.constantFrom<Dataflow>('os', 'ws', 'is');
const small = fc.integer({ min: 1, max: 12 });
const gemmLayer = fc.record({ kind: fc.constant('gemm' as const), name: fc.constant('g'), m: small, n: small, k: fc.integer({ min: 1, max: 40 }) });
const convLayer = fc
  .record({ h: fc.integer({ min: 1, max: 12 }), w: fc.integer({ min: 1, max: 12 }), r: fc.integer({ min: 1, max: 5 }), s: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 1, max: 4 }), m: fc.integer({ min: 1, max: 9 }), sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }) })
  .filter((x) => x.r <= x.h && x.s <= x.w)
  .map(
    (x): SystolicLayer => ({ kind: 'conv', name: 'c', ifmapHeight: x.h, ifmapWidth: x.w, filterHeight: x.r, filterWidth: x.s, channels: x.c, filters: x.m, strideHeight: x.sh, strideWidth: x.sw }),
  );

function gemmOf(layer: SystolicLayer): { m: number; n: number; k: number } {
  if (layer.kind === 'gemm') return layer;
  const e = Math.ceil((layer.ifmapHeight - layer.filterHeight + layer.strideHeight) / layer.strideHeight);
  const f = Math.ceil((layer.ifmapWidth - layer.filterWidth + layer.strideWidth) / layer.strideWidth);
  return { m: e * f, n: layer.filters, k: layer.filterHeight * layer.filterWidth * layer.channels };
}

describe('stepped cycles = closed form', () => {
  it('holds for random layers, arrays and dataflows', () => {
    fc.assert(
      fc.property(fc.oneof(gemmLayer, convLayer), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), dataflow, (layer, R, C, df) => {
        const { m: P, n: N, k: K } = gemmOf(layer);
        const [Sr, Sc, T] = df === 'os' ? [P, N, K] : df === 'ws' ? [K, N, P] : [K, P, N];
        const rowFolds = Math.ceil(Sr / R);
        const colFolds = Math.ceil(Sc / C);
        const perFold = df === 'os' ? R + C + T - 2 : 2 * R + C + T - 2;
        const r = simulateLayer({ rows: R, cols: C, dataflow: df, sramWords: { ifmap: 1 << 16, filter: 1 << 16, ofmap: 1 << 16 }, dramBandwidth: 'calc' }, layer);
        expect(r.computeCycles).toBe(rowFolds * colFolds * perFold);
        expect(r.macs).toBe(P * N * K);
        // What each edge carries: os streams both inputs (ifmap once per column
        // fold, filter once per row fold) and writes each output once; ws and is
        // load the stationary operand once and stream the other once per
        // column fold, writing every output once per row fold.
        const [ifmapReads, filterReads, ofmapWrites] =
          df === 'os' ? [P * K * colFolds, K * N * rowFolds, P * N] : df === 'ws' ? [P * K * colFolds, K * N, P * N * rowFolds] : [P * K, K * N * colFolds, P * N * rowFolds];
        expect([r.sram.ifmapReads.words, r.sram.filterReads.words, r.sram.ofmapWrites.words]).toEqual([ifmapReads, filterReads, ofmapWrites]);
        expect(r.sram.ofmapReads).toBe(ofmapWrites - P * N);
      }),
      { numRuns: 400, seed: 6 },
    );
  });
});
