import type { Architecture } from '../arch/types.js';
import type { Problem } from '../problem/types.js';
import { AccelmapError } from '../util/errors.js';
import { unconstrained, type Constraints } from './constraints.js';

/**
 * Dataflows as named constraint sets. A dim's role comes from the tensors it
 * indexes, so the same definitions serve convolutions, matmuls and their
 * gradients:
 *   out — Weights and Outputs (K of a convolution, N of a matmul)
 *   red — Weights and Inputs, summed over (C R S; K of a matmul)
 *   pix — Inputs and Outputs (N P Q; M of a matmul)
 *   all — every tensor (G, a batched matmul's B)
 * Window dims are the `red` dims that share an input rank with a `pix` dim (R
 * with P, S with Q); the first such rank gives the row window.
 *
 * "PE levels" are the levels at and below the first fan-out (per-PE
 * storage); the others are the backing store and shared buffers. Each
 * dataflow fixes the loop order at every level (innermost first: the dims the
 * stationary tensor does not depend on), which dims may fan out on X and Y,
 * and which dims the PE levels may iterate over (what stays put in a PE).
 * Like Timeloop's constraint files for its example designs, a dataflow also
 * pins where loops may go, which keeps its space small enough to search
 * exhaustively: PE loops at the innermost PE level, buffer loops at the
 * backing store and the innermost shared buffer, spatial factors that divide
 * the dim or fill the axis, keep/bypass as the spec allows.
 *
 *   ws  weight stationary  X ← out, Y ← red;  PE loops over pix;            order pix red out
 *   os  output stationary  X ← pix, Y ← out;  PE loops over red;            order red pix out
 *   is  input stationary   X ← pix, Y ← red;  PE loops over out;            order out red pix
 *   rs  row stationary     X ← pix;  Y ← row window, non-window red;
 *                          PE loops over the column window, red, out;     PE order col-window red out
 *   nlr no local reuse     X ← out, Y ← red;  PE levels keep nothing;      order pix red out
 *
 * `auto` leaves everything to the search; `all` runs each applicable dataflow.
 */
export const DATAFLOWS = ['ws', 'os', 'is', 'rs', 'nlr'] as const;
export type Dataflow = (typeof DATAFLOWS)[number];
export const DATAFLOW_CHOICES = [...DATAFLOWS, 'all', 'auto'] as const;
export type DataflowChoice = (typeof DATAFLOW_CHOICES)[number];

export interface DimRoles {
  out: number[];
  red: number[];
  pix: number[];
  all: number[];
  /** Window dims of the first and second sliding input ranks (row, column), if any. */
  rowWindow: number | null;
  colWindow: number | null;
}

export function dimRoles(problem: Problem): DimRoles {
  const byName = (n: string) => problem.dataSpaces.findIndex((s) => s.name === n);
  const w = byName('Weights'), i = byName('Inputs'), o = byName('Outputs');
  const uses = (s: number, d: number) => s >= 0 && problem.dataSpaces[s]!.projection.some((terms) => terms.some((t) => t.dim === d && t.coef > 0));
  const roles: DimRoles = { out: [], red: [], pix: [], all: [], rowWindow: null, colWindow: null };
  problem.dims.forEach((_, d) => {
    const [W, I, O] = [uses(w, d), uses(i, d), uses(o, d)];
    if (W && I && O) roles.all.push(d);
    else if (W && O) roles.out.push(d);
    else if (W && I) roles.red.push(d);
    else if (I || O) roles.pix.push(d);
    else roles.all.push(d);
  });
  const windows: number[] = [];
  if (i >= 0) {
    for (const terms of problem.dataSpaces[i]!.projection) {
      if (terms.length < 2) continue;
      const win = terms.find((t) => roles.red.includes(t.dim));
      if (win && terms.some((t) => roles.pix.includes(t.dim))) windows.push(win.dim);
    }
  }
  roles.rowWindow = windows[0] ?? null;
  roles.colWindow = windows[1] ?? null;
  return roles;
}

/** Index of the first level that receives a fan-out (per-PE storage starts there); levels.length if none. */
export function firstPeLevel(arch: Architecture): number {
  const i = arch.levels.findIndex((l) => l.fanOut.meshX * l.fanOut.meshY > 1);
  return i < 0 ? arch.levels.length : i;
}

/** Whether a dataflow applies to a problem (row stationary needs a sliding window). */
export function applicable(dataflow: Dataflow, problem: Problem): boolean {
  return dataflow !== 'rs' || dimRoles(problem).rowWindow !== null;
}

function orderFrom(problem: Problem, innerFirst: number[][]): number[] {
  const seen = new Set<number>();
  const inner: number[] = [];
  for (const group of innerFirst) for (const d of group) if (!seen.has(d)) (seen.add(d), inner.push(d));
  for (let d = 0; d < problem.dims.length; d++) if (!seen.has(d)) inner.push(d);
  return inner.reverse();
}

export function dataflowConstraints(dataflow: Dataflow, problem: Problem, arch: Architecture): Constraints {
  if (!applicable(dataflow, problem)) {
    throw new AccelmapError('infeasible', `dataflow ${dataflow} needs a sliding-window (convolution) problem, not ${problem.kind}`, {}, 'use ws, os, is, nlr or auto');
  }
  const r = dimRoles(problem);
  const c = unconstrained(problem, arch, dataflow);
  const pe = firstPeLevel(arch);
  const set = (...groups: number[][]) => new Set(groups.flat());
  const nonWindowRed = r.red.filter((d) => d !== r.rowWindow && d !== r.colWindow);
  const row = r.rowWindow === null ? [] : [r.rowWindow];
  const col = r.colWindow === null ? [] : [r.colWindow];
  let outerOrder: number[], peOrder: number[], peDims: Set<number>, X: Set<number>, Y: Set<number>;
  switch (dataflow) {
    case 'ws':
      outerOrder = peOrder = orderFrom(problem, [r.pix, r.red, r.out, r.all]);
      peDims = set(r.pix);
      X = set(r.out);
      Y = set(r.red);
      break;
    case 'os':
      outerOrder = peOrder = orderFrom(problem, [r.red, r.pix, r.out, r.all]);
      peDims = set(r.red);
      X = set(r.pix);
      Y = set(r.out);
      break;
    case 'is':
      outerOrder = peOrder = orderFrom(problem, [r.out, r.red, r.pix, r.all]);
      peDims = set(r.out);
      X = set(r.pix);
      Y = set(r.red);
      break;
    case 'rs':
      outerOrder = orderFrom(problem, [r.red, r.out, r.pix, r.all]);
      peOrder = orderFrom(problem, [col, nonWindowRed, r.out, row, r.pix, r.all]);
      peDims = set(col, nonWindowRed, r.out);
      X = set(r.pix);
      Y = set(row, nonWindowRed);
      break;
    case 'nlr':
      outerOrder = peOrder = orderFrom(problem, [r.pix, r.red, r.out, r.all]);
      peDims = new Set();
      X = set(r.out);
      Y = set(r.red);
      break;
  }
  const L = arch.levels.length;
  const innermostPe = L - 1;
  const innermostBuffer = pe - 1;
  c.coarseSpatial = true;
  c.levels.forEach((lc, l) => {
    const isPe = l >= pe;
    lc.order = isPe ? peOrder : outerOrder;
    lc.spatialX = X;
    lc.spatialY = Y;
    if (isPe) lc.temporalDims = l === innermostPe ? peDims : new Set();
    else if (l !== 0 && l !== innermostBuffer) lc.temporalDims = new Set();
    if (isPe && dataflow === 'nlr') lc.keep = problem.dataSpaces.map(() => 0);
    else lc.keep = problem.dataSpaces.map((s) => (arch.levels[l]!.dataSpaces === null || arch.levels[l]!.dataSpaces!.includes(s.name) ? 1 : 0));
  });
  return c;
}

/** The constraint sets to search for a choice: one per dataflow for `all` (those that apply), or `auto`. */
export function constraintSets(choice: DataflowChoice, problem: Problem, arch: Architecture): Constraints[] {
  if (choice === 'auto') return [unconstrained(problem, arch)];
  if (choice === 'all') return DATAFLOWS.filter((d) => applicable(d, problem)).map((d) => dataflowConstraints(d, problem, arch));
  return [dataflowConstraints(choice, problem, arch)];
}
