import { AccelmapError } from '../../util/errors.js';
import { SystolicArray, type Fold, type OutputStationaryPorts, type StationaryPorts } from './array.js';
import { leastStallFreeBandwidth, scheduleDram, withStalls } from './dram.js';
import { ifmapAddress, lowerLayer, type Im2col } from './im2col.js';
import { SramStream } from './sram.js';
import { DATAFLOWS, type AccessSpan, type LayerResult, type OperandTriple, type SystolicArraySpec, type SystolicLayer } from './types.js';

export interface SimulateOptions {
  /** Called after every fold with the folds done so far and the layer's total. */
  onFold?: (done: number, total: number) => void;
}

/** Largest operand (in words) the simulator tracks word by word. */
const MAX_OPERAND_WORDS = 2 ** 30;

/**
 * Runs one layer on the array, cycle by cycle, fold after fold (column folds
 * outside, row folds inside, as SCALE-Sim orders them), then lays the DRAM
 * traffic of the three SRAMs over the stepped cycles to find the stalls.
 */
export function simulateLayer(spec: SystolicArraySpec, layer: SystolicLayer, options: SimulateOptions = {}): LayerResult {
  validateSpec(spec);
  const g = lowerLayer(layer);
  const { rows: R, cols: C, dataflow } = spec;
  const P = g.pixels;
  const K = g.window;
  const N = g.filters;
  for (const [what, words] of [['ifmap', g.ifmapWords], ['filter', K * N], ['ofmap', P * N]] as const) {
    if (words > MAX_OPERAND_WORDS) throw new AccelmapError('unsupported', `the ${what} of ${layer.name} has ${words} words; the simulator tracks at most 2^30 per operand`, { path: layer.name });
  }
  const [Sr, Sc, T] = dataflow === 'os' ? [P, N, K] : dataflow === 'ws' ? [K, N, P] : [K, P, N];

  const sram = {
    ifmap: new SramStream('read', Math.floor(spec.sramWords.ifmap / 2), g.ifmapWords),
    filter: new SramStream('read', Math.floor(spec.sramWords.filter / 2), K * N),
    ofmap: new SramStream('write', Math.floor(spec.sramWords.ofmap / 2), P * N),
  };
  const ports = bindPorts(dataflow, g, sram);
  const array = new SystolicArray(R, C);
  const rowFolds = Math.ceil(Sr / R);
  const colFolds = Math.ceil(Sc / C);
  const folds = rowFolds * colFolds;
  let cycle = 0;
  let macs = 0;
  let mappedPes = 0;
  let scaleSimUtilizationSum = 0;
  for (let fc = 0; fc < colFolds; fc++) {
    for (let fr = 0; fr < rowFolds; fr++) {
      const fold: Fold = { rowStart: fr * R, rows: Math.min(R, Sr - fr * R), colStart: fc * C, cols: Math.min(C, Sc - fc * C) };
      const out = dataflow === 'os' ? array.runOutputStationaryFold(fold, T, ports as OutputStationaryPorts, cycle) : array.runStationaryFold(fold, T, ports as StationaryPorts, cycle);
      cycle += out.cycles;
      macs += out.macs;
      const mapped = fold.rows * fold.cols;
      mappedPes += mapped;
      scaleSimUtilizationSum += (mapped * T) / (R * C * (out.cycles + (dataflow === 'os' ? 0 : C - 1)));
      options.onFold?.(fc * rowFolds + fr + 1, folds);
    }
  }
  const computeCycles = cycle;

  const tiles = { ifmap: sram.ifmap.tiles, filter: sram.filter.tiles, ofmap: sram.ofmap.tiles };
  const bandwidth: OperandTriple<number> =
    spec.dramBandwidth === 'calc'
      ? {
          ifmap: leastStallFreeBandwidth('ifmap', tiles.ifmap, computeCycles),
          filter: leastStallFreeBandwidth('filter', tiles.filter, computeCycles),
          ofmap: leastStallFreeBandwidth('ofmap', tiles.ofmap, computeCycles),
        }
      : { ifmap: spec.dramBandwidth, filter: spec.dramBandwidth, ofmap: spec.dramBandwidth };
  const dram = scheduleDram(tiles, bandwidth, computeCycles);
  const totalCycles = computeCycles + dram.stallCycles;
  const sramSpan = (s: SramStream): AccessSpan =>
    s.firstCycle < 0 ? { startCycle: 0, stopCycle: 0, words: s.accesses } : { startCycle: withStalls(dram, s.firstCycle), stopCycle: withStalls(dram, s.lastCycle), words: s.accesses };
  const pes = R * C;
  return {
    name: layer.name,
    dataflow,
    gemm: { m: P, n: N, k: K },
    spatial: { rows: Sr, cols: Sc, temporal: T },
    folds: { rows: rowFolds, cols: colFolds, total: folds },
    macs,
    computeCycles,
    stallCycles: dram.stallCycles,
    totalCycles,
    prefetchCycles: dram.prefetchCycles,
    drainCycles: dram.drainCycles,
    overallUtilization: macs / (totalCycles * pes),
    mappingEfficiency: mappedPes / (folds * pes),
    computeUtilization: macs / (computeCycles * pes),
    sram: {
      ifmapReads: sramSpan(sram.ifmap),
      filterReads: sramSpan(sram.filter),
      ofmapWrites: sramSpan(sram.ofmap),
      ofmapReads: sram.ofmap.accumulations,
    },
    dram: {
      ifmapReads: dram.ifmapReads,
      filterReads: dram.filterReads,
      ofmapWrites: dram.ofmapWrites,
      ofmapReads: dram.ofmapReads,
      bandwidthWordsPerCycle: bandwidth,
    },
    averageBandwidthWordsPerCycle: {
      sram: { ifmap: sram.ifmap.accesses / totalCycles, filter: sram.filter.accesses / totalCycles, ofmap: sram.ofmap.accesses / totalCycles },
      dram: { ifmap: spanRate(dram.ifmapReads), filter: spanRate(dram.filterReads), ofmap: spanRate(dram.ofmapWrites) },
    },
    scaleSim: { totalCycles: totalCycles - 1, computeUtilization: scaleSimUtilizationSum / folds },
  };
}

export interface NetworkTotals {
  macs: number;
  computeCycles: number;
  stallCycles: number;
  totalCycles: number;
  overallUtilization: number;
  dramWords: number;
}

/** Sums over layers run one after another on the same array. */
export function networkTotals(spec: SystolicArraySpec, results: LayerResult[]): NetworkTotals {
  const sum = (f: (r: LayerResult) => number) => results.reduce((a, r) => a + f(r), 0);
  const totalCycles = sum((r) => r.totalCycles);
  const macs = sum((r) => r.macs);
  return {
    macs,
    computeCycles: sum((r) => r.computeCycles),
    stallCycles: sum((r) => r.stallCycles),
    totalCycles,
    overallUtilization: totalCycles === 0 ? 0 : macs / (totalCycles * spec.rows * spec.cols),
    dramWords: sum((r) => r.dram.ifmapReads.words + r.dram.filterReads.words + r.dram.ofmapWrites.words + r.dram.ofmapReads),
  };
}

/**
 * Which operand word each array edge carries, per dataflow. Filter words are
 * numbered along the order the edge reads them (filter by filter under os,
 * window position by window position otherwise); numbering does not change
 * any figure, only how the word-tag arrays are walked in memory.
 */
function bindPorts(dataflow: SystolicArraySpec['dataflow'], g: Im2col, sram: OperandTriple<SramStream>): StationaryPorts | OutputStationaryPorts {
  const K = g.window;
  const N = g.filters;
  const { ifmap, filter, ofmap } = sram;
  switch (dataflow) {
    case 'ws': // rows: window k, columns: filter n, stream: pixel p
      return {
        preload: (k, n0, count, cycle) => {
          for (let a = k * N + n0, end = a + count; a < end; a++) filter.read(a, cycle);
        },
        left: (k, p, cycle) => ifmap.read(ifmapAddress(g, p, k), cycle),
        output: (n, p, cycle) => ofmap.write(p * N + n, cycle),
      };
    case 'is': // rows: window k, columns: pixel p, stream: filter n
      return {
        preload: (k, p0, count, cycle) => {
          for (let p = p0; p < p0 + count; p++) ifmap.read(ifmapAddress(g, p, k), cycle);
        },
        left: (k, n, cycle) => filter.read(k * N + n, cycle),
        output: (p, n, cycle) => ofmap.write(p * N + n, cycle),
      };
    case 'os': // rows: pixel p, columns: filter n, stream: window k
      return {
        left: (p, k, cycle) => ifmap.read(ifmapAddress(g, p, k), cycle),
        top: (n, k, cycle) => filter.read(n * K + k, cycle),
        output: (p, n, cycle) => ofmap.write(p * N + n, cycle),
      };
  }
}

function validateSpec(spec: SystolicArraySpec): void {
  const positiveInt = (v: number) => Number.isSafeInteger(v) && v >= 1;
  if (!positiveInt(spec.rows) || !positiveInt(spec.cols)) throw new AccelmapError('bad-spec', `array must be at least 1×1, not ${spec.rows}×${spec.cols}`);
  if (!DATAFLOWS.includes(spec.dataflow)) throw new AccelmapError('bad-spec', `unknown dataflow '${spec.dataflow}'`, {}, `use one of ${DATAFLOWS.join(', ')}`);
  for (const op of ['ifmap', 'filter', 'ofmap'] as const) {
    const w = spec.sramWords[op];
    if (!positiveInt(w) || w < 2) throw new AccelmapError('bad-spec', `${op} SRAM of ${w} words cannot be double-buffered`, { path: `sramWords.${op}` }, 'give at least 2 words');
  }
  if (spec.dramBandwidth !== 'calc' && !positiveInt(spec.dramBandwidth)) {
    throw new AccelmapError('bad-spec', `DRAM bandwidth must be a positive whole number of words per cycle, not ${spec.dramBandwidth}`, { path: 'dramBandwidth' });
  }
}

function spanRate(s: AccessSpan): number {
  return s.words === 0 ? 0 : s.words / (s.stopCycle - s.startCycle + 1);
}
