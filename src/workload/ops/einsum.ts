import { matmulProblem } from '../../problem/builders.js';
import { numel, type TensorType } from '../graph.js';
import { defineOp, req, shapeError, stringAttr } from '../op.js';
import { broadcastShapes } from '../shape.js';
import { precisionOf } from './conv.js';

/**
 * Einsum (numpy semantics, with `...` and the implicit output form).
 * Counts: a two-operand contraction (some index shared by both operands and
 * summed) is a batched matmul — batch indices in both operands and the
 * output, M in the first operand and the output, N in the second and the
 * output, K in both operands only — with MACs = batch·M·N·K, lowered to a
 * matmul loop nest; an index in one operand only and not in the output is
 * summed out first (1 FLOP per element of that operand). Anything else (one
 * operand, products without a shared summed index, three or more operands)
 * costs n FLOPs per point of the full index space over n operands (or its
 * input's elements for a one-operand sum), and no MACs.
 */
interface Term {
  letters: string[];
  /** Index of `...` in the letters, or −1. */
  ellipsisAt: number;
}

interface EinsumPlan {
  inputs: { term: Term; shape: number[]; indices: string[] }[];
  output: string[];
  extents: Map<string, number>;
  outShape: number[];
}

function parseTerm(text: string): Term {
  const at = text.indexOf('...');
  if (at >= 0 && text.indexOf('...', at + 1) >= 0) throw shapeError(`Einsum term '${text}' has two ellipses`);
  const letters = text.replace('...', '').split('');
  if (letters.some((c) => !/^[A-Za-z]$/.test(c))) throw shapeError(`Einsum term '${text}' has a character that is not a letter`);
  return { letters, ellipsisAt: at < 0 ? -1 : text.slice(0, at).length };
}

/** Index names of an operand: its letters with `...` expanded to ellipsis dims '0', '1', … (right-aligned). */
function expand(term: Term, rank: number, ellipsisRank: number): string[] {
  if (term.ellipsisAt < 0) return term.letters;
  const own = rank - term.letters.length;
  const dots = Array.from({ length: own }, (_, i) => String(ellipsisRank - own + i));
  return [...term.letters.slice(0, term.ellipsisAt), ...dots, ...term.letters.slice(term.ellipsisAt)];
}

export function einsumPlan(equation: string, shapes: number[][]): EinsumPlan {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.split('->') as [string, string | undefined];
  const terms = lhs.split(',').map(parseTerm);
  if (terms.length !== shapes.length) throw shapeError(`Einsum equation '${equation}' has ${terms.length} operands, got ${shapes.length} inputs`);
  const ellipsisShapes = terms.map((t, i) => {
    const own = shapes[i]!.length - t.letters.length;
    if (own < 0 || (own > 0 && t.ellipsisAt < 0)) throw shapeError(`Einsum term ${i} has ${t.letters.length} indices for an input of rank ${shapes[i]!.length}`);
    return t.ellipsisAt < 0 ? [] : shapes[i]!.slice(t.ellipsisAt, t.ellipsisAt + own);
  });
  const ellipsisShape = broadcastShapes(ellipsisShapes);
  const extents = new Map<string, number>();
  ellipsisShape.forEach((d, i) => extents.set(String(i), d));
  const inputs = terms.map((term, i) => {
    const shape = shapes[i]!;
    const indices = expand(term, shape.length, ellipsisShape.length);
    indices.forEach((ix, k) => {
      if (/^\d+$/.test(ix)) return;
      const d = shape[k]!;
      const prev = extents.get(ix);
      if (prev !== undefined && prev !== d && prev !== 1 && d !== 1) throw shapeError(`Einsum index '${ix}' has sizes ${prev} and ${d}`);
      if (prev === undefined || prev === 1) extents.set(ix, d);
    });
    return { term, shape, indices };
  });
  let output: string[];
  if (rhs !== undefined) {
    const t = parseTerm(rhs);
    output = expand(t, t.letters.length + (t.ellipsisAt >= 0 ? ellipsisShape.length : 0), ellipsisShape.length);
    for (const ix of t.letters) if (!extents.has(ix)) throw shapeError(`Einsum output index '${ix}' is in no input`);
  } else {
    const count = new Map<string, number>();
    for (const t of terms) for (const c of t.letters) count.set(c, (count.get(c) ?? 0) + 1);
    const once = [...count].filter(([, n]) => n === 1).map(([c]) => c).sort();
    output = [...ellipsisShape.map((_, i) => String(i)), ...once];
  }
  return { inputs, output, extents, outShape: output.map((ix) => extents.get(ix)!) };
}

function product(plan: EinsumPlan, indices: Iterable<string>): number {
  let p = 1;
  for (const ix of indices) p *= plan.extents.get(ix)!;
  return p;
}

/** The matmul view of a two-operand contraction, or undefined. */
function matmulView(plan: EinsumPlan) {
  if (plan.inputs.length !== 2) return undefined;
  const [a, b] = plan.inputs.map((x) => new Set(x.indices.filter((ix) => plan.extents.get(ix)! !== 1 || !/^\d+$/.test(ix)))) as [Set<string>, Set<string>];
  const out = new Set(plan.output);
  const all = new Set([...a, ...b]);
  const pick = (f: (ix: string) => boolean) => [...all].filter(f);
  const K = pick((ix) => a.has(ix) && b.has(ix) && !out.has(ix));
  if (!K.length) return undefined;
  return {
    B: product(plan, pick((ix) => a.has(ix) && b.has(ix) && out.has(ix))),
    M: product(plan, pick((ix) => a.has(ix) && !b.has(ix) && out.has(ix))),
    N: product(plan, pick((ix) => b.has(ix) && !a.has(ix) && out.has(ix))),
    K: product(plan, K),
    loneA: pick((ix) => a.has(ix) && !b.has(ix) && !out.has(ix)).length > 0,
    loneB: pick((ix) => b.has(ix) && !a.has(ix) && !out.has(ix)).length > 0,
  };
}

function planOf(inputs: (TensorType | undefined)[], equation: string): EinsumPlan {
  const xs = inputs.filter((t): t is TensorType => !!t);
  return einsumPlan(equation, xs.map((t) => t.shape));
}

export const Einsum = defineOp({
  op: 'Einsum',
  opClass: 'matmul',
  flopConvention: 'contraction of two operands: MACs = batch·M·N·K (+1 FLOP per element of an operand with an index summed alone); otherwise n FLOPs per point of the index space',
  attrs: (raw) => ({ equation: stringAttr(raw, 'equation') }),
  infer(inputs, a) {
    const plan = planOf(inputs, a.equation);
    return [{ shape: plan.outShape, dtype: req(inputs, 0, 'Inputs').dtype }];
  },
  counts(inputs, _o, a) {
    const plan = planOf(inputs, a.equation);
    const mm = matmulView(plan);
    if (mm) {
      const lone = (mm.loneA ? numel(plan.inputs[0]!.shape) : 0) + (mm.loneB ? numel(plan.inputs[1]!.shape) : 0);
      return { macs: mm.B * mm.M * mm.N * mm.K, otherFlops: lone };
    }
    const space = product(plan, plan.extents.keys());
    if (plan.inputs.length === 1) return { macs: 0, otherFlops: space === numel(plan.outShape) ? 0 : numel(plan.inputs[0]!.shape) };
    return { macs: 0, otherFlops: plan.inputs.length * space };
  },
  lower(inputs, _o, a) {
    const mm = matmulView(planOf(inputs, a.equation));
    if (!mm) return [];
    const { B, M, N, K } = mm;
    return [{ problem: matmulProblem(B > 1 ? { B, M, N, K } : { M, N, K }, precisionOf(req(inputs, 0, 'Inputs').dtype), 'einsum'), repeat: 1 }];
  },
});
