import { findPrecision, peakMacsPerCycle, type Architecture } from '../arch/types.js';
import { dramWordsOf } from '../arch/vector.js';
import { storedWidth } from '../mapping/widths.js';
import { dataSpaceFootprint, problemKey, type LoweredProblem, type Problem } from '../problem/types.js';
import { partitions, type Partition } from './cores.js';
import type { LayerWork } from './layers.js';

/**
 * The first stage of mapping a network: what each layer asks of the
 * accelerator before anything is searched — its compulsory traffic, its
 * roofline bound, and for each of its loop nests the ways to split it across
 * the cores, each naming the (per-core) loop nest to search. Identical nests
 * are listed once in `searches`, in the order they first appear. All of it
 * plain data.
 */
export interface PartitionPlan {
  part: Partition;
  /** The per-core problem's key in `NetworkPlan.searches`. */
  key: string;
}

export interface NestPlan {
  lowered: LoweredProblem;
  partitions: PartitionPlan[];
}

export interface Roofline {
  boundCycles: number;
  bound: 'compute' | 'memory';
}

export interface LayerPlan {
  work: LayerWork;
  /**
   * Compulsory DRAM traffic read and written, in DRAM words: one word per
   * element without a named precision; under one, each element at the mode's
   * operand bits (`storedWidth`: tensors between layers are stored at them).
   */
  read: number;
  written: number;
  /** DRAM words a fused group's epilogue reads beyond its anchor's inputs (0 without one): as `read`, but without a named precision the graph's bytes in DRAM words. */
  epilogueRead: number;
  roof: Roofline;
  /** Empty for ops without MACs (the vector unit's). */
  nests: NestPlan[];
}

/** The layers of a workload, as `layerWork` gives them. */
export interface WorkList {
  model: string;
  mode: string;
  batch: number;
  layers: LayerWork[];
  /** The graph as exported, when `layers` are its compiled form: planned alongside, for the totals without compilation. */
  baseline?: LayerWork[];
}

export interface NetworkPlan {
  model: string;
  mode: string;
  batch: number;
  /** The architecture's name. */
  arch: string;
  /** The compute unit's precision mode mapped (absent: the first). */
  precision?: string;
  /** Peak MACs per cycle of one core in that precision. */
  peakMacs: number;
  layers: LayerPlan[];
  /** `WorkList.baseline`'s layers, planned the same way. */
  baseline?: LayerPlan[];
  /** Every distinct per-core loop nest to search (of `layers` and `baseline`), by key, in the order they first appear. */
  searches: Record<string, Problem>;
}

/** DRAM words per cycle. */
export function dramWordsPerCycle(arch: Architecture): number {
  const dram = arch.levels[0]!;
  return Math.min(dram.readBandwidth, dram.sharedBandwidth);
}

/**
 * Elements an op must move: for a compute op, the distinct elements of its
 * loop nests' tensors; otherwise its byte counts over its element size.
 */
function elements(work: LayerWork): { read: number; written: number } {
  if (work.problems.length > 0) {
    let read = 0, written = 0;
    for (const { problem, repeat } of work.problems) {
      for (const ds of problem.dataSpaces) {
        const n = dataSpaceFootprint(problem, ds) * repeat;
        if (ds.readWrite) written += n;
        else read += n;
      }
    }
    return { read, written };
  }
  const b = work.elementBits / 8;
  return { read: work.counts.bytesRead / b, written: work.counts.bytesWritten / b };
}

/** The larger of the compute time at peak (MACs at the mode's rate, or the vector unit's ops) and the compulsory traffic (DRAM words) at DRAM bandwidth, over all cores. */
function roofline(arch: Architecture, peakMacs: number, work: LayerWork, words: number): Roofline {
  const cores = arch.cores.count;
  const memory = words / (dramWordsPerCycle(arch) * cores);
  const compute = work.problems.length > 0 ? work.counts.macs / (peakMacs * cores) : work.counts.otherFlops / (arch.vector.lanes * arch.vector.opsPerCyclePerLane * cores);
  return compute >= memory ? { boundCycles: compute, bound: 'compute' } : { boundCycles: memory, bound: 'memory' };
}

/**
 * Plans every layer of `w` on `arch`, in the compute unit's precision mode
 * `precision` (default: the first, with every element one DRAM word).
 */
export function planNetwork(w: WorkList, arch: Architecture, precision?: string): NetworkPlan {
  const mode = findPrecision(arch, precision);
  const peakMacs = peakMacsPerCycle(arch, mode);
  const named = precision === undefined ? undefined : mode;
  const width = storedWidth(arch, named);
  const searches: Record<string, Problem> = {};
  const plan = (work: LayerWork): LayerPlan => {
    const e = elements(work);
    const read = e.read * width, written = e.written * width;
    const epilogueRead = !work.epilogue ? 0 : precision === undefined ? dramWordsOf(arch, work.epilogue.bytesRead) : work.epilogue.elementsRead * width;
    const nests = work.problems.map((lowered) => ({
      lowered,
      partitions: partitions(lowered.problem, arch.cores, named ? { operandBits: named.operandBits, resultBits: named.accumulatorBits } : lowered.problem).map((part) => {
        const key = problemKey(part.problem);
        if (!Object.hasOwn(searches, key)) searches[key] = part.problem;
        return { part, key };
      }),
    }));
    return { work, read, written, epilogueRead, roof: roofline(arch, peakMacs, work, read + written), nests };
  };
  const layers = w.layers.map(plan);
  return {
    model: w.model, mode: w.mode, batch: w.batch, arch: arch.name, ...(precision !== undefined ? { precision } : {}), peakMacs,
    layers, ...(w.baseline ? { baseline: w.baseline.map(plan) } : {}), searches,
  };
}
