import { numel } from '../../workload/graph.js';
import { REDUCE_SPECS } from '../../workload/ops/reduce.js';
import { normAxis, stridesOf } from '../../workload/shape.js';
import { defineKernel, input, type Kernel } from '../kernel.js';
import { alloc, reshaped, type Value } from '../value.js';

/**
 * Reductions with the step and finish functions of the op kinds' own table
 * (workload/ops/reduce.ts): every input element is folded into the output
 * position its kept coordinates name.
 */
function reduceInto(x: Value, axes: number[], out: Value, step: (acc: number, v: number) => number, init: number, finish?: (acc: number, n: number) => number): void {
  const r = x.shape.length;
  const keptStrides = stridesOf(x.shape.map((d, i) => (axes.includes(i) ? 1 : d)));
  const st = x.shape.map((_, i) => (axes.includes(i) ? 0 : keptStrides[i]!));
  const acc = new Float64Array(out.data.length).fill(init);
  const coord = new Array<number>(r).fill(0);
  let o = 0;
  for (let k = 0; k < x.data.length; k++) {
    acc[o] = step(acc[o]!, x.data[k]!);
    for (let ax = r - 1; ax >= 0; ax--) {
      o += st[ax]!;
      if (++coord[ax]! < x.shape[ax]!) break;
      o -= coord[ax]! * st[ax]!;
      coord[ax] = 0;
    }
  }
  const count = out.data.length ? x.data.length / out.data.length : 0;
  for (let i = 0; i < acc.length; i++) out.data[i] = finish ? finish(acc[i]!, count) : acc[i]!;
}

const reductions: Kernel[] = REDUCE_SPECS.map((spec) =>
  defineKernel(spec.op, (call) => {
    const x = input(call, 0);
    const given = call.inputs[1] ? Array.from(call.inputs[1].data) : [];
    if (!given.length && call.attrs.noop_with_empty_axes) return [reshaped(x, x.shape)];
    const axes = given.length ? given.map((a) => normAxis(a, x.shape.length)) : x.shape.map((_, i) => i);
    const out = alloc(call.outputs[0]!.shape, call.outputs[0]!.dtype);
    reduceInto(x, axes, out, spec.step, spec.init, spec.finish);
    return [out];
  }),
);

function argReduce(op: 'ArgMax' | 'ArgMin'): Kernel {
  const sign = op === 'ArgMax' ? 1 : -1;
  return defineKernel(op, (call) => {
    const x = input(call, 0);
    const axis = normAxis(call.attrs.axis as number, x.shape.length);
    const last = call.attrs.select_last_index === 1;
    const d = x.shape[axis]!, inner = numel(x.shape.slice(axis + 1)), outer = numel(x.shape.slice(0, axis));
    const out = alloc(call.outputs[0]!.shape, 'int64');
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let best = 0;
        for (let k = 1; k < d; k++) {
          const v = sign * x.data[(o * d + k) * inner + i]!, b = sign * x.data[(o * d + best) * inner + i]!;
          if (v > b || (last && v === b)) best = k;
        }
        out.data[o * inner + i] = best;
      }
    }
    return [out];
  });
}

export const REDUCE_KERNELS: Kernel[] = [...reductions, argReduce('ArgMax'), argReduce('ArgMin')];
