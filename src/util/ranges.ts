import { z } from 'zod';

/**
 * The range a physical quantity in a spec may take, with the reason, so that
 * a refusal says what is allowed and why (`must be an integer from 1 to 64:
 * a machine word is 1 to 64 bits`). Specs state these once; the schema
 * checks numbers written as numbers (`ranged`), loaders check values parsed
 * from text with units (`rangeProblem`).
 */
export interface Range {
  min: number;
  max: number;
  /** The minimum itself is refused (a quantity that must be positive). */
  minExclusive?: boolean;
  integer?: boolean;
  /** Unit of min and max in messages (`Hz`, `nm`, `pJ`). */
  unit?: string;
  why: string;
}

function show(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? String(Number(v.toPrecision(6))) : v.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e');
}

export function describeRange(r: Range): string {
  const u = r.unit ? ` ${r.unit}` : '';
  if (r.minExclusive) return `${r.integer ? 'an integer' : 'a number'} above ${show(r.min)} and at most ${show(r.max)}${u}`;
  return `${r.integer ? 'an integer' : 'a number'} from ${show(r.min)} to ${show(r.max)}${u}`;
}

/** Why `v` is outside `r` (one phrase), or undefined when it is inside. */
export function rangeProblem(v: number, r: Range): string | undefined {
  const inside = Number.isFinite(v) && (r.minExclusive ? v > r.min : v >= r.min) && v <= r.max && (!r.integer || Number.isInteger(v));
  if (inside) return undefined;
  const got = Number.isNaN(v) ? 'not a number' : Number.isFinite(v) ? show(v) + (r.unit ? ` ${r.unit}` : '') : 'infinite';
  return `${got}: must be ${describeRange(r)} (${r.why})`;
}

/** A schema number that must lie in `r`; anything else is refused with the range and its reason. */
export function ranged(r: Range) {
  return z.custom<number>((v) => typeof v === 'number' && rangeProblem(v, r) === undefined, {
    error: (issue) => (typeof issue.input === 'number' ? rangeProblem(issue.input, r)! : `must be ${describeRange(r)} (${r.why})`),
  });
}
