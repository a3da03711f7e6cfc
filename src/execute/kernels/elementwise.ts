import type { Attrs } from '../../workload/graph.js';
import { isInteger } from '../../workload/dtype.js';
import { NARY_SPECS } from '../../workload/ops/binary.js';
import { UNARY_SPECS } from '../../workload/ops/unary.js';
import { mapBroadcast } from '../broadcast.js';
import { defineKernel, input, type Kernel } from '../kernel.js';
import { alloc, converter } from '../value.js';

/**
 * Element-wise ops. Each value function comes from the op kind's own table
 * (workload/ops/unary.ts, binary.ts), the one definition shared with
 * constant folding; here it runs over typed arrays.
 */
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

const unaryKernels: Kernel[] = UNARY_SPECS.filter((s) => s.fn).map((spec) =>
  defineKernel(spec.op, ({ inputs, attrs, outputs }) => {
    const x = inputs[0]!;
    const out = alloc(outputs[0]!.shape, outputs[0]!.dtype);
    const p = attrs as Record<string, number>;
    const f = spec.op === 'Gelu' && attrs.approximate === 'tanh' ? (v: number) => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))) : (v: number) => spec.fn!(v, p);
    const xd = x.data, od = out.data, n = od.length;
    const toInt = isInteger(x.dtype) && isInteger(out.dtype);
    for (let i = 0; i < n; i++) od[i] = toInt ? Math.trunc(f(xd[i]!)) : f(xd[i]!);
    return [out];
  }),
);

const naryKernels: Kernel[] = NARY_SPECS.filter((s) => s.fn).map((spec) =>
  defineKernel(spec.op, (call) => {
    const xs = spec.arity === 'variadic' ? call.inputs.filter((v) => v !== undefined) : call.inputs.map((_, i) => input(call, i));
    const t = call.outputs[0]!;
    const out = alloc(t.shape, t.dtype);
    const integer = isInteger(xs[spec.op === 'Where' ? 1 : 0]!.dtype);
    const store = converter(t.dtype);
    const a: Attrs = call.attrs;
    mapBroadcast(xs, out, (args) => store(spec.fn!(args, integer, a)));
    return [out];
  }),
);

const Clip = defineKernel('Clip', (call) => {
  const x = input(call, 0);
  const lo = call.inputs[1]?.data[0] ?? -Infinity;
  const hi = call.inputs[2]?.data[0] ?? Infinity;
  const out = alloc(x.shape, x.dtype);
  const xd = x.data, od = out.data;
  for (let i = 0; i < od.length; i++) {
    const v = xd[i]!;
    // min first, then max: a min above the max gives the max, as ONNX says
    od[i] = Math.min(hi, v < lo ? lo : v);
  }
  return [out];
});

/** Cast and CastLike: to the output type the shape rule gave (Cast's `to`, CastLike's second input's type). */
const cast = (op: string) => defineKernel(op, (call) => {
  const x = input(call, 0);
  const to = call.outputs[0]!.dtype;
  const out = alloc(x.shape, to);
  const store = converter(to);
  const xd = x.data, od = out.data;
  for (let i = 0; i < od.length; i++) od[i] = store(xd[i]!);
  return [out];
});

const IsInf = defineKernel('IsInf', (call) => {
  const x = input(call, 0);
  const pos = call.attrs.detect_positive, neg = call.attrs.detect_negative;
  const out = alloc(x.shape, 'bool');
  for (let i = 0; i < out.data.length; i++) {
    const v = x.data[i]!;
    out.data[i] = (pos && v === Infinity) || (neg && v === -Infinity) ? 1 : 0;
  }
  return [out];
});

export const ELEMENTWISE_KERNELS: Kernel[] = [...unaryKernels, ...naryKernels, Clip, cast('Cast'), cast('CastLike'), IsInf];
