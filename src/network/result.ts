import type { CostSum } from '../mapping/cost.js';
import type { Directive } from '../mapping/directives.js';
import type { Problem } from '../problem/types.js';
import type { DataflowChoice } from '../search/dataflows.js';
import type { Strategy } from '../search/search.js';
import type { Partition } from './cores.js';

/**
 * What mapping a network gives, as plain data. Every level is a CostSum
 * (cycles and energy) that adds into the level above: a dataflow's or a
 * partition's cost into a loop nest's, loop nests (× repeat) and a fused
 * epilogue into a layer's, layers into the totals.
 */
export interface DataflowCost extends CostSum {
  dataflow: string;
}

export interface ProblemResult extends CostSum {
  kind: string;
  problem: Problem;
  repeat: number;
  dataflow: string;
  /** Timeloop directives for the (per-core) problem; feed to `accelmap model`. */
  mapping: Directive[] | null;
  utilization: number;
  evaluated: number;
  partition: { kind: Partition['kind']; dim?: string; cores: number; transferCycles: number; transferEnergyPj: number; perCoreProblem: Problem };
  /** Energy per storage level (with its fan-out network), the MACs, leakage and the interconnect, all cores. */
  energyByLevelPj: Record<string, number>;
  /** `--dataflow all`: every dataflow's best for this problem. */
  comparison?: DataflowCost[];
}

export interface LayerResult extends CostSum {
  name: string;
  op: string;
  phase: string;
  kind: 'mapped' | 'vector';
  macs: number;
  otherFlops: number;
  /** Compulsory DRAM traffic in DRAM words (one per element; under a named precision, each element at the operand bits). */
  words: number;
  utilization: number;
  boundCycles: number;
  bound: 'compute' | 'memory';
  /** cycles ÷ bound (1 = at the roofline). */
  ratio: number;
  dataflow: string | null;
  /** The loop nest `mapping` maps (per core when the layer is split): with `mapping`, input for `accelmap model`. */
  problem: Problem | null;
  mapping: Directive[] | null;
  problems: ProblemResult[];
  /** A fused group's epilogue on the vector unit (included in cycles and energy): run after the loop nest, reading only what the anchor does not. */
  epilogue?: { ops: number } & CostSum;
}

/** Totals of a set of layers. */
export interface LayerTotals extends CostSum {
  /** Compulsory DRAM traffic: every layer's tensors once, in DRAM words. */
  dramWords: number;
  layers: number;
}

export interface NetworkResult {
  model: string;
  arch: string;
  mode: string;
  batch: number;
  cores: number;
  dataflow: DataflowChoice;
  objective: string;
  strategy: Strategy;
  /** The roofline's roofs, over all cores. */
  peakMacsPerCycle: number;
  dramWordsPerCycle: number;
  totals: CostSum & {
    seconds: number;
    macs: number;
    utilization: number;
    layers: number;
    distinctProblems: number;
    evaluations: number;
    validEvaluations: number;
    /** Exhaustive searches stopped by the budget before visiting every point. */
    incompleteSearches: number;
    dramWords: number;
  };
  layers: LayerResult[];
  /** The graph as exported, mapped with the same searches (`baseline`), when the layers are a compiled graph's. */
  uncompiled?: LayerTotals;
}
