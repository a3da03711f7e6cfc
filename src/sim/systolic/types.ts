/**
 * Plain data for the cycle-level systolic-array simulator: the array, the
 * layers it runs and what it reports per layer. Words are the unit of every
 * memory figure; one word is one byte (`WORD_BYTES`), as in SCALE-Sim.
 */
export type Dataflow = 'os' | 'ws' | 'is';
export const DATAFLOWS: readonly Dataflow[] = ['os', 'ws', 'is'];
export const WORD_BYTES = 1;

export interface SystolicArraySpec {
  /** Array height: PE rows. */
  rows: number;
  /** Array width: PE columns. */
  cols: number;
  dataflow: Dataflow;
  /** SRAM capacity per operand, in words; each SRAM is double-buffered (two halves). */
  sramWords: OperandTriple<number>;
  /**
   * DRAM interface of each operand SRAM, in words per cycle; `'calc'` finds,
   * per operand, the least whole number of words per cycle at which the array
   * never waits on that operand.
   */
  dramBandwidth: number | 'calc';
}

export interface OperandTriple<T> {
  ifmap: T;
  filter: T;
  ofmap: T;
}

/** A convolution as SCALE-Sim's topology files describe it: no padding, batch 1. */
export interface ConvLayer {
  kind: 'conv';
  name: string;
  ifmapHeight: number;
  ifmapWidth: number;
  filterHeight: number;
  filterWidth: number;
  channels: number;
  filters: number;
  strideHeight: number;
  strideWidth: number;
}

/** A matrix product ofmap[m][n] = sum_k ifmap[m][k] * filter[k][n]. */
export interface GemmLayer {
  kind: 'gemm';
  name: string;
  m: number;
  n: number;
  k: number;
}

export type SystolicLayer = ConvLayer | GemmLayer;

/** First and last cycle of an access stream and the number of words it moved. */
export interface AccessSpan {
  startCycle: number;
  stopCycle: number;
  words: number;
}

export interface LayerResult {
  name: string;
  dataflow: Dataflow;
  /** The layer as a GEMM after im2col: m = ofmap pixels, n = filters, k = window (R·S·C). */
  gemm: { m: number; n: number; k: number };
  /** What the dataflow maps onto array rows (Sr), array columns (Sc) and time (T). */
  spatial: { rows: number; cols: number; temporal: number };
  folds: { rows: number; cols: number; total: number };
  macs: number;
  /** Cycles the array steps, stall-free: fill, stream and drain of every fold. */
  computeCycles: number;
  /** Cycles the array waits on DRAM (0 under `'calc'` bandwidth). */
  stallCycles: number;
  /** computeCycles + stallCycles: from the first cycle of the first fold to the last write. */
  totalCycles: number;
  /** DRAM cycles before cycle 0 to fill the first half of every input SRAM (not in totalCycles). */
  prefetchCycles: number;
  /** DRAM cycles after the last compute cycle to write back the ofmap SRAM (not in totalCycles). */
  drainCycles: number;
  /** MACs / (totalCycles · rows · cols). */
  overallUtilization: number;
  /** Mean over folds of the share of PEs a fold maps. */
  mappingEfficiency: number;
  /** MACs / (computeCycles · rows · cols). */
  computeUtilization: number;
  sram: {
    ifmapReads: AccessSpan;
    filterReads: AccessSpan;
    ofmapWrites: AccessSpan;
    /** Partial sums read back for accumulation (writes to an address already written). */
    ofmapReads: number;
  };
  dram: {
    ifmapReads: AccessSpan;
    filterReads: AccessSpan;
    ofmapWrites: AccessSpan;
    /** Partial sums fetched back from DRAM because they left the ofmap SRAM before the last fold. */
    ofmapReads: number;
    /** The interface bandwidth used per operand (the configured one, or the computed one). */
    bandwidthWordsPerCycle: OperandTriple<number>;
  };
  /** Average words per cycle: SRAM over totalCycles, DRAM over each stream's own start–stop span. */
  averageBandwidthWordsPerCycle: {
    sram: OperandTriple<number>;
    dram: OperandTriple<number>;
  };
  /**
   * Figures as SCALE-Sim prints them: its total is one less than the number
   * of cycles (it prints the index of the last cycle), and its compute
   * utilization divides ws and is folds by (fold cycles + cols − 1).
   */
  scaleSim: { totalCycles: number; computeUtilization: number };
}
