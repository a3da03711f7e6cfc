import { z } from 'zod';
import { readSourceFile, zodIssueError, type SourceDoc } from '../util/source-file.js';
import { HINT } from './user-constraints.js';

/**
 * User constraints, in Timeloop's vocabulary, added on top of a dataflow:
 *
 *   constraints:
 *     - { target: DRAM, type: temporal, factors: "R=1 S=1", permutation: "QPCKN" }
 *     - { target: GlobalBuffer, type: spatial, dims: [K, C] }            # dims that may fan out (both axes)
 *     - { target: GlobalBuffer, type: spatial, x: [K], y: [C, R] }       # … per axis
 *     - { target: GlobalBuffer, type: spatial, factors: "K=14 C=12", split: 1 }
 *     - { target: WeightSpad, type: bypass, keep: [Weights], bypass: [Inputs, Outputs] }
 *     - { type: utilization, min: 0.5 }                                  # of the MAC units
 *
 * A temporal factor fixes that dim at that level (1 forbids it there); a
 * permutation (innermost first) fixes the level's loop order: the dims it
 * lists innermost, in its order, the rest outside them. Constraints narrow
 * the dataflow's: a dim must be allowed by both. Problems without a dim named
 * in a constraint ignore that entry (one file serves convolutions and matmuls).
 */
const entrySchema = z
  .object({
    target: z.string().min(1).optional(),
    type: z.enum(['temporal', 'spatial', 'bypass', 'datatype', 'utilization']),
    factors: z.union([z.string(), z.record(z.string(), z.number().int().min(1))]).optional(),
    permutation: z.union([z.string(), z.array(z.string())]).optional(),
    split: z.number().int().min(0).optional(),
    dims: z.array(z.string()).optional(),
    x: z.array(z.string()).optional(),
    y: z.array(z.string()).optional(),
    keep: z.array(z.string()).optional(),
    bypass: z.array(z.string()).optional(),
    min: z.number().min(0).max(1).optional(),
  })
  .strict();

const fileSchema = z.object({ constraints: z.array(entrySchema) }).strict();
export type ConstraintEntry = z.infer<typeof entrySchema>;

export interface UserConstraints {
  src: SourceDoc;
  entries: ConstraintEntry[];
}

export function loadConstraintsFile(file: string): UserConstraints {
  return constraintsFromSource(readSourceFile(file));
}

/** Constraints given as data (`{constraints: [...]}`), checked as a file would be. */
export function constraintsFromValue(value: unknown): UserConstraints {
  return constraintsFromSource({ file: 'constraints', value, locate: () => undefined });
}

function constraintsFromSource(src: SourceDoc): UserConstraints {
  const parsed = fileSchema.safeParse(src.value);
  if (!parsed.success) throw zodIssueError(parsed.error, src, 'bad-input', HINT);
  return { src, entries: parsed.data.constraints };
}
