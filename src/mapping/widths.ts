import { findPrecision, type Architecture, type PrecisionMode } from '../arch/types.js';
import type { Problem } from '../problem/types.js';

/**
 * How wide each tensor's words are at each storage level, in the level's own
 * words, under a precision mode: inputs and weights (read-only data spaces)
 * take the mode's operand bits; outputs (read-write: partial sums) take its
 * accumulator bits on chip and at the backing store while partial sums spill
 * there, and the operand bits for the final values written to the backing
 * store (they leave requantized for the next layer). A tensor of b bits at a
 * level of w-bit words has width b ÷ w: a buffer holds w ÷ b times as many of
 * its words, a bandwidth of n words per cycle moves n·w ÷ b of them, and an
 * access of a block costs the same energy for w ÷ b times as many words.
 *
 * Without a named precision every tensor is one word of every level (the
 * spec's word widths are taken as given): the cost model then counts words
 * exactly as before precisions entered it.
 */
export interface TensorWidths {
  /** [l*DS+s]: data space s's width at level l in level words. */
  width: number[];
  /** [s]: a read-write data space's final values at the outermost level, in its words. */
  finalWidth: number[];
}

export function tensorWidths(problem: Problem, arch: Architecture, precision: PrecisionMode | undefined): TensorWidths {
  const bits = (readWrite: boolean) => (precision === undefined ? undefined : readWrite ? precision.accumulatorBits : precision.operandBits);
  const width = arch.levels.flatMap((level) => problem.dataSpaces.map((s) => (bits(s.readWrite) ?? level.wordBits) / level.wordBits));
  const finalWidth = problem.dataSpaces.map((s, i) => (precision !== undefined && s.readWrite ? storedWidth(arch, precision) : width[i]!));
  return { width, finalWidth };
}

/**
 * The width, in words of the outermost level (DRAM), of a tensor stored there
 * between layers under a precision mode: every such tensor (inputs, weights,
 * a layer's final outputs, the operands and results of ops without MACs) is
 * kept at the mode's operand bits. One word without a named precision.
 */
export function storedWidth(arch: Architecture, precision: PrecisionMode | undefined): number {
  return precision === undefined ? 1 : precision.operandBits / arch.levels[0]!.wordBits;
}

/** The widths under the precision mode of that name, or every width 1 when none is named. */
export function namedWidths(problem: Problem, arch: Architecture, precisionName: string | undefined): TensorWidths {
  return tensorWidths(problem, arch, precisionName === undefined ? undefined : findPrecision(arch, precisionName));
}
