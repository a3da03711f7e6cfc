import { beforeAll, describe, expect, it } from 'vitest';
import { simulateLayer } from './simulate.js';
import type { LayerResult, SystolicArraySpec, SystolicLayer } from './types.js';

/**
 * Cycle counts derived by hand on a 4×4 array (rows r = 0..3, columns
 * c = 0..3, cycles counted from 0). Conventions of the model: a word is in
 * PE(r, c) during one cycle and moves one PE per cycle; row lane r starts r
 * cycles after lane 0 (skew); lanes a fold does not map carry bubbles; the
 * fold ends when the array is empty. Outputs are written in the cycle of
 * their last MAC.
 */
const roomy = { ifmap: 64, filter: 64, ofmap: 64 };
const array4 = (dataflow: SystolicArraySpec['dataflow'], sramWords = roomy, dramBandwidth: SystolicArraySpec['dramBandwidth'] = 'calc'): SystolicArraySpec => ({ rows: 4, cols: 4, dataflow, sramWords, dramBandwidth });
const gemm = (m: number, n: number, k: number): SystolicLayer => ({ kind: 'gemm', name: 'g', m, n, k });

describe('hand-derived cycles on a 4×4 array', () => {
  it('ws: 5 pixels × 3 filters × window 4 (one fold, 4 rows × 3 columns mapped)', () => {
    // Load: filter rows are pushed in from the top during cycles 0–3 (row 3's
    //   words first), 3 words a cycle → 12 filter reads in cycles 0..3.
    // Stream from cycle 4: row r gets pixel t at 4 + r + t → ifmap reads in
    //   cycles 4 (row 0, t 0) .. 4 + 3 + 4 = 11 (row 3, t 4); 5 · 4 = 20 reads.
    // The sum for (t, column c) starts in PE(0, c) at 4 + t + c and is in
    //   PE(3, c) at 7 + t + c, when it is written: cycles 7 (t 0, c 0) ..
    //   7 + 4 + 2 = 13 (t 4, c 2); 5 · 3 = 15 writes.
    // Drain: row 0's last word passes the unmapped column 3 at 4 + 4 + 3 = 11
    //   and starts a sum there that reaches row 3 at 14 → cycles 0..14 = 15.
    const r = simulateLayer(array4('ws'), gemm(5, 3, 4));
    expect(r.computeCycles).toBe(15);
    expect(r.scaleSim.totalCycles).toBe(14);
    expect(r.macs).toBe(60);
    expect(r.mappingEfficiency).toBe(12 / 16);
    expect(r.overallUtilization).toBe(60 / (15 * 16));
    expect(r.sram.filterReads).toEqual({ startCycle: 0, stopCycle: 3, words: 12 });
    expect(r.sram.ifmapReads).toEqual({ startCycle: 4, stopCycle: 11, words: 20 });
    expect(r.sram.ofmapWrites).toEqual({ startCycle: 7, stopCycle: 13, words: 15 });
  });

  it('os: 3 pixels × 2 filters × window 5 (3 rows × 2 columns mapped)', () => {
    // Row p gets ifmap (p, k) at k + p: cycles 0 (p 0, k 0) .. 2 + 4 = 6; 15 reads.
    // Column n gets filter (k, n) at k + n: cycles 0 .. 1 + 4 = 5; 10 reads.
    // PE(p, n) does MAC k at k + p + n; its last (k 4) at 4 + p + n is its
    //   write: cycles 4 (PE 0,0) .. 4 + 2 + 1 = 7 (PE 2,1); 6 writes.
    // Bubbles: row 3 gets them at cycles 3..7, the last one reaching column 3
    //   at 10 (column 3's bubbles reach row 3 at 10 too) → cycles 0..10 = 11.
    const r = simulateLayer(array4('os'), gemm(3, 2, 5));
    expect(r.computeCycles).toBe(11);
    expect(r.macs).toBe(30);
    expect(r.mappingEfficiency).toBe(6 / 16);
    expect(r.sram.ifmapReads).toEqual({ startCycle: 0, stopCycle: 6, words: 15 });
    expect(r.sram.filterReads).toEqual({ startCycle: 0, stopCycle: 5, words: 10 });
    expect(r.sram.ofmapWrites).toEqual({ startCycle: 4, stopCycle: 7, words: 6 });
  });

  it('is: 3 pixels × 2 filters × window 4 (4 rows × 3 columns mapped)', () => {
    // Load: ifmap (p, k) for row k, columns p 0..2, in cycles 0–3: 12 reads.
    // Stream from cycle 4: row k gets filter (k, n) at 4 + k + n: cycles
    //   4 .. 4 + 3 + 1 = 8; 8 reads.
    // The sum for (filter n, column p) is in PE(3, p) at 7 + n + p: writes in
    //   cycles 7 .. 7 + 1 + 2 = 10; 6 writes.
    // Drain: row 0's last word is in column 3 at 4 + 1 + 3 = 8, its sum in row
    //   3 at 11 → cycles 0..11 = 12.
    const r = simulateLayer(array4('is'), gemm(3, 2, 4));
    expect(r.computeCycles).toBe(12);
    expect(r.macs).toBe(24);
    expect(r.sram.ifmapReads).toEqual({ startCycle: 0, stopCycle: 3, words: 12 });
    expect(r.sram.filterReads).toEqual({ startCycle: 4, stopCycle: 8, words: 8 });
    expect(r.sram.ofmapWrites).toEqual({ startCycle: 7, stopCycle: 10, words: 6 });
  });

  it('ws with four folds: window 6 over 4 rows, 5 filters over 4 columns, 3 pixels', () => {
    // Folds (column folds outside): rows 4+2, columns 4+1 → (4,4) (2,4) (4,1) (2,1),
    //   each 2·4 (load, sums through 4 rows) + 4 (words through 4 columns) + 3 − 2 = 13 cycles → 52.
    // Last fold starts at 39. Load: array rows 0, 1 are mapped and go in last,
    //   row 1 at 39 + 2 = 41, row 0 at 42 → last filter read 42.
    //   Stream from 43: row 1's last word (t 2) at 43 + 1 + 2 = 46.
    //   Column 0's last sum (t 2) in row 3 at 43 + 2 + 0 + 3 = 48.
    // Each of the 15 outputs is written once per row fold: 30 writes, 15 of
    //   them onto a partial sum (an SRAM read to accumulate).
    const r = simulateLayer(array4('ws'), gemm(3, 5, 6));
    expect(r.folds).toEqual({ rows: 2, cols: 2, total: 4 });
    expect(r.computeCycles).toBe(52);
    expect(r.mappingEfficiency).toBe((16 + 8 + 4 + 2) / 64);
    expect(r.sram.filterReads).toEqual({ startCycle: 0, stopCycle: 42, words: 30 });
    expect(r.sram.ifmapReads.stopCycle).toBe(46);
    expect(r.sram.ofmapWrites).toEqual({ startCycle: 7, stopCycle: 48, words: 30 });
    expect(r.sram.ofmapReads).toBe(15);
  });
});

describe('DRAM traffic and stalls, by hand', () => {
  // The ws case above (5 × 3 × 4 GEMM: ifmap word (p, k) at 4p + k, all
  // distinct) with an ifmap SRAM of 16 words: halves of 8 words. Reads in
  // cycle order (row 0 first within a cycle):
  //   4: 0 | 5: 4 1 | 6: 8 5 2 | 7: 12 9 6 3 | 8: 16 13 10 7 | 9: 17 14 11 | 10: 18 15 | 11: 19
  // Tiles of 8 distinct words: [0 4 1 8 5 2 12 9] from 4, [6 3 16 13 10 7 17 14]
  // from 7, [11 18 15 19] from 9.
  const spec = (dramBandwidth: SystolicArraySpec['dramBandwidth']) => array4('ws', { ifmap: 16, filter: 64, ofmap: 64 }, dramBandwidth);

  it('stalls at 1 word per cycle', () => {
    // Prefetch: ifmap tile 0 (8 words) in cycles −8..−1, filter (12) in −12..−1.
    // Tile 1: fetched from 0 (its half is empty), ready at 8, needed at 7 → 1 stall.
    // Tile 2: fetched once tile 1 has started (8) → ready at 12, needed at 9 + 1 → 2 stalls.
    // 15 + 3 = 18 cycles. The ofmap (15 words, one tile) is written back from 18 to 32.
    const r = simulateLayer(spec(1), gemm(5, 3, 4));
    expect(r.stallCycles).toBe(3);
    expect(r.totalCycles).toBe(18);
    expect(r.prefetchCycles).toBe(12);
    expect(r.drainCycles).toBe(15);
    expect(r.dram.ifmapReads).toEqual({ startCycle: -8, stopCycle: 11, words: 20 });
    expect(r.dram.filterReads).toEqual({ startCycle: -12, stopCycle: -1, words: 12 });
    expect(r.dram.ofmapWrites).toEqual({ startCycle: 18, stopCycle: 32, words: 15 });
    // SRAM cycles move by the stalls before them: first ifmap read (4) none,
    // last (11) 3; first write (7) 1, last (13) 3.
    expect(r.sram.ifmapReads).toEqual({ startCycle: 4, stopCycle: 14, words: 20 });
    expect(r.sram.ofmapWrites).toEqual({ startCycle: 8, stopCycle: 16, words: 15 });
  });

  it('CALC finds the least stall-free bandwidth per operand', () => {
    // ifmap at 2 words/cycle: tile 1 ready at 4 ≤ 7; tile 2 fetched 7..8, ready at 9 ≤ 9.
    // At 1 it stalls (above). Filter and ofmap have one tile each: 1 word/cycle never stalls.
    const r = simulateLayer(spec('calc'), gemm(5, 3, 4));
    expect(r.stallCycles).toBe(0);
    expect(r.dram.bandwidthWordsPerCycle).toEqual({ ifmap: 2, filter: 1, ofmap: 1 });
  });

  it('partial sums that leave a small ofmap SRAM come back from DRAM', () => {
    // ws, 3 pixels × 2 filters × window 8: two row folds, the same 6 outputs
    // (address 2p + n) written in each. Write order per fold: 0 | 2 1 | 4 3 | 5.
    // Ofmap SRAM of 4 words → halves of 2: tiles [0 2] [1 4] [3 5] [0 2] [1 4] [3 5].
    // Tiles 3–5 meet words last seen three tiles back (already written back):
    // 6 partial sums fetched back; 12 words written back; 6 accumulations.
    const r = simulateLayer(array4('ws', { ifmap: 64, filter: 64, ofmap: 4 }), gemm(3, 2, 8));
    expect(r.dram.ofmapWrites.words).toBe(12);
    expect(r.dram.ofmapReads).toBe(6);
    expect(r.sram.ofmapReads).toBe(6);
  });
});

describe('SCALE-Sim agreement: AlexNet conv1 on a 32×32 ws array', () => {
  // SCALE-Sim's AlexNet topology: conv1 224×224×3, 96 filters 11×11, stride 4
  // → E = ceil((224 − 11 + 4) / 4) = 55, GEMM 3025 × 96 × 363.
  // Published figures (REFERENCES.md; SCALE-Sim's own golden reports,
  // scalesim-project/scale-sim-v3 test/general/golden_trace_calc, CALC mode,
  // 64 kB SRAMs): 36 folds × 3119 − 1 = 112,283 cycles; overall util 91.68%;
  // mapping efficiency 94.53125%; compute util 90.78000992063485% (its
  // definition); SRAM reads ifmap 3,294,225, filter 34,848, ofmap writes
  // 3,484,800; SRAM filter cycles 1..109,197, ifmap 33..112,176 (its reads
  // are one cycle later: one cycle of SRAM latency), ofmap 63..112,283.
  const conv1: SystolicLayer = { kind: 'conv', name: 'Conv1', ifmapHeight: 224, ifmapWidth: 224, filterHeight: 11, filterWidth: 11, channels: 3, filters: 96, strideHeight: 4, strideWidth: 4 };
  let r: LayerResult;
  beforeAll(() => {
    r = simulateLayer({ rows: 32, cols: 32, dataflow: 'ws', sramWords: { ifmap: 65536, filter: 65536, ofmap: 65536 }, dramBandwidth: 'calc' }, conv1);
  });

  it('matches the published cycles and utilizations', () => {
    expect(r.folds.total).toBe(36);
    expect(r.scaleSim.totalCycles).toBe(112_283);
    expect(r.totalCycles).toBe(112_284);
    expect((r.overallUtilization * 100).toFixed(2)).toBe('91.68');
    expect(r.mappingEfficiency * 100).toBe(94.53125);
    expect(r.scaleSim.computeUtilization * 100).toBeCloseTo(90.78000992063485, 10);
    expect(r.macs).toBe(3025 * 96 * 363);
  });

  it('matches the published SRAM access counts and cycles', () => {
    expect(r.sram.ifmapReads).toEqual({ startCycle: 33 - 1, stopCycle: 112_176 - 1, words: 3_294_225 });
    expect(r.sram.filterReads).toEqual({ startCycle: 1 - 1, stopCycle: 109_197 - 1, words: 34_848 });
    expect(r.sram.ofmapWrites).toEqual({ startCycle: 63, stopCycle: 112_283, words: 3_484_800 });
  });
});
