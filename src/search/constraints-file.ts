import { z } from 'zod';
import type { Architecture } from '../arch/types.js';
import type { Problem } from '../problem/types.js';
import { locatedError, readSourceFile, zodIssueError, type SourceDoc } from '../util/source-file.js';
import type { Constraints } from './constraints.js';

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

const HINT = 'constraints are {target, type: temporal|spatial|bypass, factors, permutation, dims, x, y, keep, bypass} or {type: utilization, min}';

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

function names(text: string | string[]): string[] {
  if (Array.isArray(text)) return text;
  return /[\s,]/.test(text.trim()) ? text.split(/[\s,]+/).filter(Boolean) : [...text.trim()];
}

function factorEntries(raw: ConstraintEntry['factors'], err: (m: string) => Error): [string, number][] {
  if (raw === undefined) return [];
  if (typeof raw !== 'string') return Object.entries(raw);
  return raw
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((part) => {
      const m = /^([A-Za-z][A-Za-z0-9_]*)=(\d+)$/.exec(part);
      if (!m || Number(m[2]) < 1) throw err(`'${part}' is not DIM=factor (factor ≥ 1)`);
      return [m[1]!, Number(m[2])] as [string, number];
    });
}

/** Narrows a constraint set with user constraints (a copy; the input is not changed). */
export function applyUserConstraints(base: Constraints, user: UserConstraints, problem: Problem, arch: Architecture): Constraints {
  const c: Constraints = {
    ...base,
    levels: base.levels.map((l) => ({
      ...l,
      temporalDims: l.temporalDims && new Set(l.temporalDims),
      temporalFixed: new Map(l.temporalFixed),
      order: l.order && [...l.order],
      spatialX: l.spatialX && new Set(l.spatialX),
      spatialY: l.spatialY && new Set(l.spatialY),
      spatialFixed: new Map(l.spatialFixed),
      keep: [...l.keep],
    })),
  };
  const dimOf = (n: string) => problem.dims.indexOf(n);
  const narrow = (set: Set<number> | null, allowed: number[]): Set<number> => new Set((set === null ? allowed : [...set]).filter((d) => allowed.includes(d)));
  user.entries.forEach((e, i) => {
    const err = (msg: string, field = 'type') => locatedError('bad-input', msg, user.src, ['constraints', i, field], HINT);
    if (e.type === 'utilization') {
      if (e.min === undefined) throw err('a utilization constraint needs min', 'min');
      c.minUtilization = Math.max(c.minUtilization, e.min);
      return;
    }
    if (!e.target) throw err(`a ${e.type} constraint needs a target level`, 'target');
    const l = arch.levels.findIndex((x) => x.name === e.target || x.name.toLowerCase() === e.target!.toLowerCase());
    if (l < 0) throw err(`unknown level '${e.target}' (levels: ${arch.levels.map((x) => x.name).join(', ')})`, 'target');
    const lc = c.levels[l]!;
    if (e.type === 'bypass' || e.type === 'datatype') {
      for (const [field, value] of [['keep', 1], ['bypass', 0]] as const) {
        for (const n of e[field] ?? []) {
          const s = problem.dataSpaces.findIndex((x) => x.name === n);
          if (s < 0) throw err(`unknown data space '${n}'`, field);
          lc.keep[s] = value;
        }
      }
      return;
    }
    const factors = factorEntries(e.factors, (m) => err(m, 'factors')).filter(([n]) => dimOf(n) >= 0);
    if (e.type === 'temporal') {
      for (const [n, f] of factors) {
        const d = dimOf(n);
        if (f === 1) lc.temporalDims = narrow(lc.temporalDims, problem.dims.map((_, x) => x).filter((x) => x !== d));
        else lc.temporalFixed.set(d, f);
      }
      if (e.permutation !== undefined) {
        const listed = names(e.permutation).map(dimOf).filter((d) => d >= 0);
        const rest = problem.dims.map((_, d) => d).filter((d) => !listed.includes(d));
        lc.order = [...rest, ...[...listed].reverse()];
      }
      return;
    }
    // spatial
    if (e.dims) {
      const allowed = e.dims.map(dimOf).filter((d) => d >= 0);
      lc.spatialX = narrow(lc.spatialX, allowed);
      lc.spatialY = narrow(lc.spatialY, allowed);
    }
    if (e.x) lc.spatialX = narrow(lc.spatialX, e.x.map(dimOf).filter((d) => d >= 0));
    if (e.y) lc.spatialY = narrow(lc.spatialY, e.y.map(dimOf).filter((d) => d >= 0));
    if (factors.length) {
      const order = e.permutation !== undefined ? names(e.permutation) : factors.map(([n]) => n);
      for (const [n, f] of factors) {
        const k = order.indexOf(n);
        const axis = e.split !== undefined ? (k >= 0 && k < e.split ? 'X' : 'Y') : 'X';
        lc.spatialFixed.set(dimOf(n), { axis, factor: f });
      }
    }
  });
  return c;
}
