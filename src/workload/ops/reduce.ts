import { numel, type Attrs, type TensorType } from '../graph.js';
import { constValue, defineOp, intAttr, req, type OpKind } from '../op.js';
import { foldable, normAxis, stridesOf } from '../shape.js';

/**
 * Reductions (ONNX ≥ 18: axes as an optional input; without axes every axis
 * is reduced unless noop_with_empty_axes) and ArgMax/ArgMin.
 * FLOP convention per input element: ReduceSum, ReduceMean, ReduceMax,
 * ReduceMin, ReduceProd, ReduceLogSum 1 (one accumulation), ReduceL1 and
 * ReduceSumSquare 2 (abs or square, then accumulate), ReduceL2 2,
 * ReduceLogSumExp 2 (exp, then accumulate); plus per output element 1 for
 * the mean's division, ReduceL2's square root and the logs. ArgMax/ArgMin 1
 * per input element (a comparison).
 */
export interface ReduceSpec {
  op: string;
  perInput: number;
  perOutput: number;
  init: number;
  step: (acc: number, x: number) => number;
  finish?: (acc: number, count: number) => number;
}

export const REDUCE_SPECS: ReduceSpec[] = [
  { op: 'ReduceSum', perInput: 1, perOutput: 0, init: 0, step: (a, x) => a + x },
  { op: 'ReduceMean', perInput: 1, perOutput: 1, init: 0, step: (a, x) => a + x, finish: (a, n) => a / n },
  { op: 'ReduceMax', perInput: 1, perOutput: 0, init: -Infinity, step: (a, x) => Math.max(a, x) },
  { op: 'ReduceMin', perInput: 1, perOutput: 0, init: Infinity, step: (a, x) => Math.min(a, x) },
  { op: 'ReduceProd', perInput: 1, perOutput: 0, init: 1, step: (a, x) => a * x },
  { op: 'ReduceL1', perInput: 2, perOutput: 0, init: 0, step: (a, x) => a + Math.abs(x) },
  { op: 'ReduceL2', perInput: 2, perOutput: 1, init: 0, step: (a, x) => a + x * x, finish: Math.sqrt },
  { op: 'ReduceSumSquare', perInput: 2, perOutput: 0, init: 0, step: (a, x) => a + x * x },
  { op: 'ReduceLogSum', perInput: 1, perOutput: 1, init: 0, step: (a, x) => a + x, finish: Math.log },
  { op: 'ReduceLogSumExp', perInput: 2, perOutput: 1, init: 0, step: (a, x) => a + Math.exp(x), finish: Math.log },
];

/** Output shape of reducing `axes` (all axes when undefined). */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  return keepdims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** Folds a reduction over known values: `step` accumulates each output position's reduced elements. */
function foldReduce(x: TensorType, axes: readonly number[], outShape: readonly number[], spec: ReduceSpec): number[] | undefined {
  if (!x.value || !foldable(outShape) || !foldable(x.shape)) return undefined;
  const st = stridesOf(x.shape);
  const kept = x.shape.map((_, i) => !axes.includes(i));
  const keptShape = x.shape.filter((_, i) => kept[i]);
  const keptStrides = stridesOf(keptShape);
  const out = new Array<number>(numel(keptShape)).fill(spec.init);
  const counts = new Array<number>(out.length).fill(0);
  for (let k = 0; k < x.value.length; k++) {
    let rem = k, o = 0, j = 0;
    for (let i = 0; i < x.shape.length; i++) {
      const c = Math.floor(rem / st[i]!);
      rem -= c * st[i]!;
      if (kept[i]) o += c * keptStrides[j++]!;
    }
    out[o] = spec.step(out[o]!, x.value[k]!);
    counts[o]!++;
  }
  const finish = spec.finish ?? ((acc: number) => acc);
  return out.map((v, i) => finish(v, counts[i]!));
}

function reduceAxes(inputs: (TensorType | undefined)[], a: Attrs, op: string): number[] | undefined {
  const x = req(inputs, 0, 'data');
  const r = x.shape.length;
  const given = inputs[1] ? constValue(inputs[1], `${op} axes`) : [];
  if (!given.length) return a.noop_with_empty_axes ? undefined : x.shape.map((_, i) => i);
  return given.map((ax) => normAxis(ax, r, `${op} axis`));
}

function reduction(spec: ReduceSpec): OpKind {
  return defineOp<Attrs>({
    op: spec.op,
    opClass: 'reduction',
    flopConvention: `${spec.perInput} FLOP${spec.perInput > 1 ? 's' : ''} per input element${spec.perOutput ? ' + 1 per output element' : ''}`,
    attrs: (raw) => ({ keepdims: intAttr(raw, 'keepdims', 1), noop_with_empty_axes: intAttr(raw, 'noop_with_empty_axes', 0) }),
    infer(inputs, a) {
      const x = req(inputs, 0, 'data');
      const axes = reduceAxes(inputs, a, spec.op);
      if (!axes) return [x.value ? { shape: [...x.shape], dtype: x.dtype, value: x.value } : { shape: [...x.shape], dtype: x.dtype }];
      const shape = reducedShape(x.shape, axes, a.keepdims === 1);
      const out: TensorType = { shape, dtype: x.dtype };
      const v = foldReduce(x, axes, shape, spec);
      if (v) out.value = v;
      return [out];
    },
    counts(inputs, outputs) {
      return { macs: 0, otherFlops: spec.perInput * numel(req(inputs, 0, 'data').shape) + spec.perOutput * numel(outputs[0]!.shape) };
    },
  });
}

export const REDUCE_OPS: OpKind[] = REDUCE_SPECS.map(reduction);

/** Index of the best element along `axis` for each outer and inner position. */
function argFold(x: TensorType, axis: number, better: (v: number, best: number) => boolean, last: boolean): number[] | undefined {
  const d = x.shape[axis]!;
  if (!x.value || d === 0 || !foldable(x.shape)) return undefined;
  const inner = numel(x.shape.slice(axis + 1));
  const outer = numel(x.shape.slice(0, axis));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      for (let k = 1; k < d; k++) {
        const v = x.value[(o * d + k) * inner + i]!, b = x.value[(o * d + best) * inner + i]!;
        if (better(v, b) || (last && v === b)) best = k;
      }
      out.push(best);
    }
  }
  return out;
}

function argReduce(op: 'ArgMax' | 'ArgMin'): OpKind {
  const better = op === 'ArgMax' ? (v: number, best: number) => v > best : (v: number, best: number) => v < best;
  return defineOp<Attrs>({
    op,
    opClass: 'reduction',
    flopConvention: '1 FLOP per input element (a comparison)',
    attrs: (raw) => ({ axis: intAttr(raw, 'axis', 0), keepdims: intAttr(raw, 'keepdims', 1), select_last_index: intAttr(raw, 'select_last_index', 0) }),
    infer(inputs, a) {
      const x = req(inputs, 0, 'data');
      const axis = normAxis(a.axis as number, x.shape.length, `${op} axis`);
      const out: TensorType = { shape: reducedShape(x.shape, [axis], a.keepdims === 1), dtype: 'int64' };
      const v = argFold(x, axis, better, a.select_last_index === 1);
      if (v) out.value = v;
      return [out];
    },
    counts: (inputs) => ({ macs: 0, otherFlops: numel(req(inputs, 0, 'data').shape) }),
  });
}

export const ArgMax = argReduce('ArgMax');
export const ArgMin = argReduce('ArgMin');
