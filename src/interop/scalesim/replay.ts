import { lowerLayer } from '../../sim/systolic/im2col.js';
import type { SystolicLayer } from '../../sim/systolic/types.js';
import { isAccelmapError } from '../../util/errors.js';
import { CalcReadBuffer, HIT_LATENCY, UserReadBuffer, WriteBuffer, type DramStream, type InputBuffer } from './buffers.js';
import type { ScaleSimConfig } from './config.js';
import { layerDemand, prefetchOrder } from './demand.js';

/** First and last cycle SCALE-Sim reports for an SRAM and the accesses it counts. */
export interface SramSpan {
  startCycle: number;
  stopCycle: number;
  words: number;
}

/**
 * One layer's figures as SCALE-Sim v2 reports them, under its conventions:
 * its total is the cycle of the last ofmap write (one less than the cycles
 * run), SRAM cycles are those the requests are answered in, every ofmap SRAM
 * write (partial sums included) is also a DRAM write, and DRAM traffic and
 * bandwidth follow its buffer model (buffers.ts).
 */
export interface ScaleSimLayer {
  name: string;
  macs: number;
  totalCycles: number;
  stallCycles: number;
  /** Percentages, as SCALE-Sim prints them. */
  overallUtilization: number;
  mappingEfficiency: number;
  computeUtilization: number;
  sram: { ifmap: SramSpan; filter: SramSpan; ofmap: SramSpan };
  dram: { ifmap: DramStream; filter: DramStream; ofmap: DramStream };
  /** Words per cycle: SRAM over the total, DRAM over each trace's span. */
  bandwidth: { sram: { ifmap: number; filter: number; ofmap: number }; dram: { ifmap: number; filter: number; ofmap: number } };
}


/** Replays one layer through SCALE-Sim's demand matrices and buffers. */
export function replayLayer(config: ScaleSimConfig, layer: SystolicLayer, onFold?: (done: number, total: number) => void): ScaleSimLayer {
  const g = lowerLayer(layer);
  const R = config.arrayHeight;
  const C = config.arrayWidth;
  const demand = layerDemand(g, R, C, config.dataflow);
  const words = (kb: number) => kb * 1024;
  const filterWords = g.window * g.filters;
  let ifmapBuffer: InputBuffer;
  let filterBuffer: InputBuffer;
  let ofmapBandwidth: number;
  if (config.interfaceBandwidth === 'CALC') {
    ifmapBuffer = new CalcReadBuffer(words(config.ifmapSramKb), g.ifmapWords);
    filterBuffer = new CalcReadBuffer(words(config.filterSramKb), filterWords);
    ofmapBandwidth = C;
  } else {
    const bandwidth = config.bandwidthWordsPerCycle!;
    let order: ReturnType<typeof prefetchOrder>;
    try {
      order = prefetchOrder(g, R, C, config.dataflow);
    } catch (e) {
      throw isAccelmapError(e) ? e.at({ path: layer.name }) : e;
    }
    ifmapBuffer = new UserReadBuffer(words(config.ifmapSramKb), bandwidth, order.ifmap, g.ifmapWords);
    filterBuffer = new UserReadBuffer(words(config.filterSramKb), bandwidth, order.filter, filterWords);
    ofmapBandwidth = bandwidth;
  }
  const ofmapBuffer = new WriteBuffer(words(config.ofmapSramKb), ofmapBandwidth);
  const addresses = new Int32Array(demand.lanes);
  const ifmapSpan = span();
  const filterSpan = span();
  const ofmapSpan = span();
  let row = 0;
  let stalls = 0;
  let lastWrite = 0;
  demand.folds.forEach((fold, index) => {
    const d = demand.fold(index);
    for (let x = 0; x < fold.cycles; x++, row++) {
      const cycle = row + stalls;
      let n = d.ifmap(x, addresses);
      const ifmapReady = ifmapBuffer.request(addresses, n, cycle);
      if (n > 0) see(ifmapSpan, ifmapReady);
      n = d.filter(x, addresses);
      const filterReady = filterBuffer.request(addresses, n, cycle);
      if (n > 0) see(filterSpan, filterReady);
      const writes = d.ofmapWrites(x);
      lastWrite = ofmapBuffer.write(writes, cycle);
      if (writes > 0) see(ofmapSpan, lastWrite);
      stalls += Math.max(ifmapReady - cycle - HIT_LATENCY, filterReady - cycle - HIT_LATENCY, lastWrite - cycle);
    }
    onFold?.(index + 1, demand.folds.length);
  });

  const sum = (f: (fold: (typeof demand.folds)[number]) => number) => demand.folds.reduce((a, fold) => a + f(fold), 0);
  const pes = R * C;
  const macs = g.pixels * g.window * g.filters;
  const totalCycles = lastWrite;
  const sram = {
    ifmap: { ...seen(ifmapSpan), words: sum((f) => f.sramIfmap) },
    filter: { ...seen(filterSpan), words: sum((f) => f.sramFilter) },
    ofmap: { ...seen(ofmapSpan), words: sum((f) => f.sramOfmap) },
  };
  const dram = { ifmap: ifmapBuffer.finish(), filter: filterBuffer.finish(), ofmap: ofmapBuffer.finish(lastWrite) };
  const rate = (s: DramStream) => s.words / (s.stopCycle - s.startCycle + 1);
  return {
    name: layer.name,
    macs,
    totalCycles,
    stallCycles: stalls,
    overallUtilization: (macs * 100) / (totalCycles * pes),
    mappingEfficiency: (pythonSum(demand.folds.map((f) => (f.rowsUsed * f.colsUsed) / pes)) / demand.folds.length) * 100,
    computeUtilization: (pythonSum(demand.folds.map((f) => (f.rowsUsed * f.colsUsed * f.steps) / (pes * f.utilizationCycles))) / demand.folds.length) * 100,
    sram,
    dram,
    bandwidth: {
      sram: { ifmap: sram.ifmap.words / totalCycles, filter: sram.filter.words / totalCycles, ofmap: sram.ofmap.words / totalCycles },
      dram: { ifmap: rate(dram.ifmap), filter: rate(dram.filter), ofmap: rate(dram.ofmap) },
    },
  };
}

interface Span {
  startCycle: number;
  stopCycle: number;
}

/** A span not yet seen starts at -1; SCALE-Sim reports 0 for a stream that never ran. */
function span(): Span {
  return { startCycle: -1, stopCycle: 0 };
}

function see(s: Span, cycle: number): void {
  if (s.startCycle < 0) s.startCycle = cycle;
  s.stopCycle = cycle;
}

function seen(s: Span): Span {
  return s.startCycle < 0 ? { startCycle: 0, stopCycle: 0 } : s;
}

/** Python's sum() of floats (3.12 and later): Neumaier's compensated summation, which SCALE-Sim's averages go through. */
function pythonSum(values: number[]): number {
  let total = 0;
  let compensation = 0;
  for (const x of values) {
    const t = total + x;
    compensation += Math.abs(total) >= Math.abs(x) ? total - t + x : x - t + total;
    total = t;
  }
  return compensation !== 0 && Number.isFinite(compensation) ? total + compensation : total;
}
