import type { ParamSource } from '../execute/execute.js';
import { alloc, type Value } from '../execute/value.js';
import { AccelmapError } from '../util/errors.js';
import { numel, type Graph, type Tensor } from '../workload/graph.js';
import { blockWeight } from '../execute/kernels/layout.js';
import { fromNumbers } from '../execute/value.js';

/**
 * Weights computed from other weights by a pass, as data: the rule, its
 * source tensors and attributes. `derivedParams` computes their values on
 * demand from the sources' (the model file's or a seed's), so a compiled
 * graph runs on the same numbers as the graph it came from.
 *
 * Rules (a = scale / √(var + eps), per output channel):
 *   bn-weight: W' = W · a along `axis`;
 *   bn-bias:   b' = (b − mean) · a + shift  (b = 0 when absent);
 *   block-weight: OIHW filters in the blocked layout OIHW[b]i[b]o
 *     (workload/ops/layout.ts `blockWeight`).
 */
export type DerivedWeight =
  | { name: string; rule: 'bn-weight'; from: [w: string, scale: string, variance: string]; eps: number; axis: number }
  | { name: string; rule: 'bn-bias'; from: [bias: string, scale: string, shift: string, mean: string, variance: string]; eps: number }
  | { name: string; rule: 'block-weight'; from: [w: string]; block: number };

function bnFactor(scale: Value, variance: Value, eps: number): Float64Array {
  return Float64Array.from(scale.data, (s, k) => s / Math.sqrt(variance.data[k]! + eps));
}

/** A derived weight's values from its sources' (its shape and type follow from theirs). */
export function computeDerived(d: DerivedWeight, get: (name: string) => Value | undefined): Value {
  const need = (name: string): Value => {
    const v = get(name);
    if (!v) throw new AccelmapError('bad-input', `weight '${d.name}' is computed from '${name}', which has no values`);
    return v;
  };
  if (d.rule === 'block-weight') return blockWeight(need(d.from[0]), d.block);
  if (d.rule === 'bn-weight') {
    const [w, scale, variance] = [need(d.from[0]), need(d.from[1]), need(d.from[2])];
    const out = alloc(w.shape, w.dtype);
    const a = bnFactor(scale, variance, d.eps);
    const inner = w.shape.slice(d.axis + 1).reduce((p, x) => p * x, 1);
    const len = w.shape[d.axis]!;
    for (let i = 0; i < out.data.length; i++) out.data[i] = w.data[i]! * a[Math.floor(i / inner) % len]!;
    return out;
  }
  const [scale, shift, mean, variance] = d.from.slice(1).map(need) as [Value, Value, Value, Value];
  const bias = d.from[0] ? need(d.from[0]) : undefined;
  const a = bnFactor(scale, variance, d.eps);
  const out = alloc(scale.shape, scale.dtype);
  for (let k = 0; k < out.data.length; k++) out.data[k] = ((bias?.data[k] ?? 0) - mean.data[k]!) * a[k]! + shift.data[k]!;
  return out;
}

/** Values for a compiled graph: derived weights computed from `base`'s (or the graph's known values), the rest from `base`. */
export function derivedParams(base: ParamSource, derived: readonly DerivedWeight[], tensors: Record<string, Tensor>, original: Record<string, Tensor>): ParamSource {
  const byName = new Map(derived.map((d) => [d.name, d]));
  // a derived weight another was derived from may no longer be in the graph
  const get = (name: string): Value | undefined => {
    const d = byName.get(name);
    if (d) return computeDerived(d, get);
    const t = tensors[name] ?? original[name];
    if (!t) return undefined;
    if (t.value) {
      const v = alloc(t.shape, t.dtype);
      v.data.set(t.value);
      return v;
    }
    return base(t);
  };
  return (t) => get(t.name);
}

/** When every source is small enough to carry its value in the graph, the derived weight carries its value too. */
export function knownValue(g: Graph, d: DerivedWeight): void {
  const t: Tensor = g.tensors[d.name]!;
  const sources = d.from.filter(Boolean).map((n) => g.tensors[n]!);
  if (!sources.every((x) => x.value)) return;
  const get = (name: string) => {
    const x = g.tensors[name];
    return x?.value ? fromNumbers(x, x.value) : undefined;
  };
  if (numel(t.shape) === 0) return;
  t.value = Array.from(computeDerived(d, get).data);
}
