import type { Architecture } from '../arch/types.js';
import type { Problem } from '../problem/types.js';
import { locatedError } from '../util/located-error.js';
import type { ConstraintEntry, UserConstraints } from './constraints-file.js';
import type { Constraints } from './constraints.js';

/**
 * User constraints (constraints-file.ts reads and checks them) applied to a
 * constraint set: apart from the reader, so that a search worker applying
 * them loads neither the YAML reader nor the schema library.
 */

export const HINT = 'constraints are {target, type: temporal|spatial|bypass, factors, permutation, dims, x, y, keep, bypass} or {type: utilization, min}';

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
