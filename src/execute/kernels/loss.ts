import type { ClassLossAttrs } from '../../workload/ops/loss.js';
import { defineKernel, input, type Kernel, type KernelCall } from '../kernel.js';
import { alloc } from '../value.js';

/**
 * Losses: MSE and its gradient; the classification losses as ONNX defines
 * them — NegativeLogLikelihoodLoss on log-probabilities [N, C, d…] with
 * integer targets [N, d…], optional class weights and an ignored label;
 * SoftmaxCrossEntropyLoss the same on a log-softmax over axis 1 (its
 * optional second output); and the gradient training graphs use. A mean
 * divides by the sum of the weights the counted targets carry.
 */
type Reduction = { reduction: 'mean' | 'sum' | 'none' };

/** (p − t)², reduced as asked. */
const mseLoss = defineKernel<Reduction>('MSELoss', (call) => {
  const p = input(call, 0).data, t = input(call, 1).data;
  const out = alloc(call.outputs[0]!.shape, call.outputs[0]!.dtype);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const e = (p[i]! - t[i]!) ** 2;
    if (call.attrs.reduction === 'none') out.data[i] = e;
    sum += e;
  }
  if (call.attrs.reduction !== 'none') out.data[0] = call.attrs.reduction === 'mean' ? sum / p.length : sum;
  return [out];
});

/** dP = dLoss · 2(p − t), divided by the element count for a mean. */
const mseLossGrad = defineKernel<Reduction>('MSELossGrad', (call) => {
  const g = input(call, 0).data, p = input(call, 1).data, t = input(call, 2).data;
  const out = alloc(call.outputs[0]!.shape, call.outputs[0]!.dtype);
  const scale = call.attrs.reduction === 'mean' ? 2 / p.length : 2;
  for (let i = 0; i < p.length; i++) out.data[i] = g[call.attrs.reduction === 'none' ? i : 0]! * scale * (p[i]! - t[i]!);
  return [out];
});

/** Per target (n, j): its class, and its weight (0 when ignored). */
interface Targets {
  N: number;
  C: number;
  D: number;
  label: (at: number) => number;
  weight: (at: number) => number;
}

function targetsOf(call: KernelCall<ClassLossAttrs>, scoresShape: number[], labelsAt: number, weightsAt: number): Targets {
  const labels = input(call, labelsAt).data, weights = call.inputs[weightsAt]?.data;
  const [N, C] = scoresShape as [number, number];
  const ignore = call.attrs.ignore_index;
  return {
    N, C, D: scoresShape.slice(2).reduce((p, x) => p * x, 1),
    label: (at) => labels[at]!,
    weight: (at) => (labels[at] === ignore ? 0 : weights ? weights[labels[at]!]! : 1),
  };
}

/** −logp[n, t, j] · w for every target, reduced as asked. */
function nll(call: KernelCall<ClassLossAttrs>, logp: ArrayLike<number>, t: Targets): number[] {
  const losses: number[] = [];
  let total = 0, weights = 0;
  for (let n = 0; n < t.N; n++) {
    for (let j = 0; j < t.D; j++) {
      const at = n * t.D + j, w = t.weight(at);
      const l = w === 0 ? 0 : -logp[(n * t.C + t.label(at)) * t.D + j]! * w;
      losses.push(l);
      total += l;
      weights += w;
    }
  }
  if (call.attrs.reduction === 'none') return losses;
  return [call.attrs.reduction === 'mean' ? total / weights : total];
}

const negativeLogLikelihood = defineKernel<ClassLossAttrs>('NegativeLogLikelihoodLoss', (call) => {
  const x = input(call, 0);
  const out = alloc(call.outputs[0]!.shape, call.outputs[0]!.dtype);
  out.data.set(nll(call, x.data, targetsOf(call, x.shape, 1, 2)));
  return [out];
});

const softmaxCrossEntropy = defineKernel<ClassLossAttrs>('SoftmaxCrossEntropyLoss', (call) => {
  const x = input(call, 0);
  const logp = alloc(x.shape, x.dtype);
  const [N, C] = x.shape as [number, number];
  const D = x.data.length / (N * C);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < D; j++) {
      const at = (c: number) => (n * C + c) * D + j;
      let max = -Infinity, sum = 0;
      for (let c = 0; c < C; c++) max = Math.max(max, x.data[at(c)]!);
      for (let c = 0; c < C; c++) sum += Math.exp(x.data[at(c)]! - max);
      const lse = max + Math.log(sum);
      for (let c = 0; c < C; c++) logp.data[at(c)] = x.data[at(c)]! - lse;
    }
  }
  const loss = alloc(call.outputs[0]!.shape, call.outputs[0]!.dtype);
  loss.data.set(nll(call, logp.data, targetsOf(call, x.shape, 1, 2)));
  return [loss, logp];
});

/** d scores = (softmax − one-hot) · w · dLoss, over the weights' sum for a mean. */
const softmaxCrossEntropyGrad = defineKernel<ClassLossAttrs>('SoftmaxCrossEntropyLossGrad', (call) => {
  const g = input(call, 0).data, logp = input(call, 1);
  const t = targetsOf(call, logp.shape, 2, 3);
  const out = alloc(logp.shape, logp.dtype);
  let weights = 0;
  for (let at = 0; at < t.N * t.D; at++) weights += t.weight(at);
  const scale = call.attrs.reduction === 'mean' ? 1 / weights : 1;
  for (let n = 0; n < t.N; n++) {
    for (let j = 0; j < t.D; j++) {
      const at = n * t.D + j, w = t.weight(at) * scale * g[call.attrs.reduction === 'none' ? at : 0]!;
      for (let c = 0; c < t.C; c++) {
        const i = (n * t.C + c) * t.D + j;
        out.data[i] = (Math.exp(logp.data[i]!) - (c === t.label(at) ? 1 : 0)) * w;
      }
    }
  }
  return [out];
});

export const LOSS_KERNELS: Kernel[] = [mseLoss, mseLossGrad, negativeLogLikelihood, softmaxCrossEntropy, softmaxCrossEntropyGrad];
