import type { ConvGradInputAttrs, ConvGradWeightAttrs } from '../../workload/ops/conv_grad.js';
import { convGeometry } from '../../workload/ops/conv.js';
import type { PoolGradAttrs } from '../../workload/ops/pool_grad.js';
import { alignedStrides, nextCoordinate } from '../broadcast.js';
import { defineKernel, input, unsupported, type Kernel, type KernelCall } from '../kernel.js';
import { alloc, type Value } from '../value.js';
import { as2d, eachTap, type Conv2d } from './conv.js';

/**
 * The gradient ops of training graphs (workload/train): element-wise
 * derivatives, SumToShape, global-pool and convolution gradients (the
 * losses are in loss.ts) — enough to run a training step's forward and
 * backward passes, so that compiler passes on training graphs are checked
 * by running them. Optimizer updates act by side effect and are not run.
 */

/** f′ from the saved tensor s (the forward input x or output y, as train/rules.ts SAVES says). */
const DERIVATIVES: Record<string, (s: number) => number> = {
  Relu: (y) => (y > 0 ? 1 : 0),
  Sigmoid: (y) => y * (1 - y),
  Tanh: (y) => 1 - y * y,
  Exp: (y) => y,
  Sqrt: (y) => 0.5 / y,
  Reciprocal: (y) => -y * y,
  Log: (x) => 1 / x,
  Abs: (x) => Math.sign(x),
  Sin: (x) => Math.cos(x),
  Cos: (x) => -Math.sin(x),
  Softplus: (x) => 1 / (1 + Math.exp(-x)),
  Softsign: (x) => 1 / (1 + Math.abs(x)) ** 2,
  Erf: (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x),
};

const elementwiseGrad = defineKernel<{ of: string }>('ElementwiseGrad', (call) => {
  const f = DERIVATIVES[call.attrs.of];
  if (!f || call.inputs.length !== 2) throw unsupported(call, `the derivative of ${call.attrs.of}`);
  const dy = input(call, 0).data, s = input(call, 1).data;
  const out = alloc(call.outputs[0]!.shape, call.outputs[0]!.dtype);
  for (let i = 0; i < dy.length; i++) out.data[i] = dy[i]! * f(s[i]!);
  return [out];
});

/** Sums every element of x into the output element it broadcast from. */
function sumTo(x: Value, out: Value): void {
  const strides = alignedStrides(out.shape, x.shape);
  const rank = x.shape.length;
  const index = new Array<number>(rank).fill(0);
  let at = 0;
  for (let i = 0; i < x.data.length; i++) {
    out.data[at] = out.data[at]! + x.data[i]!;
    at += nextCoordinate(index, x.shape, strides, rank - 1);
  }
}

const sumToShape = defineKernel('SumToShape', (call) => {
  const out = alloc(call.outputs[0]!.shape, call.outputs[0]!.dtype);
  sumTo(input(call, 0), out);
  return [out];
});

/** The gradient of a global average pool: dY / (spatial size) over every position of its plane. */
const poolGrad = defineKernel<PoolGradAttrs>('PoolGrad', (call) => {
  if (call.attrs.of !== 'GlobalAveragePool') throw unsupported(call, `the gradient of ${call.attrs.of}`);
  const dy = input(call, 0).data;
  const out = alloc(call.outputs[0]!.shape, call.outputs[0]!.dtype);
  const plane = out.data.length / dy.length;
  for (let i = 0; i < out.data.length; i++) out.data[i] = dy[Math.floor(i / plane)]! / plane;
  return [out];
});

function geometry2d(call: KernelCall<any>, x: { shape: number[] }, w: { shape: number[] }): Conv2d {
  const geo = convGeometry({ shape: x.shape, dtype: 'float32' }, { shape: w.shape, dtype: 'float32' }, call.attrs);
  if (geo.inSize.length > 2) throw unsupported(call, `a ${geo.inSize.length}-D convolution`);
  return as2d(geo);
}

/** dX[x] = Σ dY[y] · W[w] over the taps that read x. */
const convGradInput = defineKernel<ConvGradInputAttrs>('ConvGradInput', (call) => {
  const dy = input(call, 0).data, w = input(call, 1);
  const out = alloc(call.outputs[0]!.shape, call.outputs[0]!.dtype);
  const o = out.data, wd = w.data;
  eachTap(geometry2d(call, { shape: call.attrs.input_shape }, w), (xAt, wAt, yAt) => {
    o[xAt] = o[xAt]! + dy[yAt]! * wd[wAt]!;
  });
  return [out];
});

/** dW[w] = Σ dY[y] · X[x] over the taps that use w. */
const convGradWeight = defineKernel<ConvGradWeightAttrs>('ConvGradWeight', (call) => {
  const x = input(call, 0), dy = input(call, 1).data;
  const out = alloc(call.outputs[0]!.shape, call.outputs[0]!.dtype);
  const o = out.data, xd = x.data;
  eachTap(geometry2d(call, x, { shape: call.attrs.weight_shape }), (xAt, wAt, yAt) => {
    o[wAt] = o[wAt]! + dy[yAt]! * xd[xAt]!;
  });
  return [out];
});

export const TRAINING_KERNELS: Kernel[] = [elementwiseGrad, sumToShape, poolGrad, convGradInput, convGradWeight];
