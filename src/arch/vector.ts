import type { Architecture } from './types.js';

/**
 * Cost of an op without MACs (element-wise, normalization, reductions,
 * softmax, data movement) on the architecture's vector unit: it streams its
 * operands from and to the outermost level (DRAM) and computes at
 * lanes × ops per cycle per lane. Cycles = the larger of the compute time and
 * the transfer time (a roofline); energy = ops × energy per op + DRAM words
 * moved × DRAM access energy.
 */
export interface VectorWork {
  /** Element operations (the op's non-MAC FLOPs). */
  ops: number;
  /** DRAM words read and written (the outermost level's words). */
  readWords: number;
  writeWords: number;
}

export interface VectorCost {
  cycles: number;
  computeCycles: number;
  transferCycles: number;
  energyPj: number;
}

/** DRAM words of `bytes` bytes. */
export function dramWordsOf(arch: Architecture, bytes: number): number {
  return bytes / (arch.levels[0]!.wordBits / 8);
}

export function vectorCost(arch: Architecture, work: VectorWork): VectorCost {
  const v = arch.vector;
  const dram = arch.levels[0]!;
  const computeCycles = work.ops > 0 ? Math.ceil(work.ops / (v.lanes * v.opsPerCyclePerLane)) : 0;
  const { readWords, writeWords } = work;
  const transferCycles = Math.ceil(
    Math.max(
      readWords / dram.readBandwidth,
      writeWords / dram.writeBandwidth,
      (readWords + writeWords) / dram.sharedBandwidth,
    ),
  );
  const blockWords = dram.blockSize;
  const energyPj =
    work.ops * v.energyPerOpPj +
    Math.ceil(readWords / blockWords) * dram.energy.readPj +
    Math.ceil(writeWords / blockWords) * dram.energy.updatePj;
  return { cycles: Math.max(computeCycles, transferCycles), computeCycles, transferCycles, energyPj };
}
