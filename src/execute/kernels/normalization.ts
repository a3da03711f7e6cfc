import { numel } from '../../workload/graph.js';
import { normAxis } from '../../workload/shape.js';
import { defineKernel, input, unsupported, type Kernel } from '../kernel.js';
import { alloc, reshaped, type Value } from '../value.js';

/**
 * Normalizations: BatchNormalization (inference: running statistics),
 * LayerNormalization (with its optional Mean and InvStdDev outputs),
 * InstanceNormalization, LRN, RMSNormalization, LpNormalization; and Softmax, LogSoftmax, Hardmax along one
 * axis. Statistics are accumulated in float64.
 */
const BatchNormalization = defineKernel('BatchNormalization', (call) => {
  const x = input(call, 0);
  if (call.attrs.training_mode) throw unsupported(call, 'training mode (batch statistics)');
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => input(call, i));
  const eps = call.attrs.epsilon as number;
  const C = x.shape.length > 1 ? x.shape[1]! : 1;
  const inner = x.shape.length > 2 ? numel(x.shape.slice(2)) : 1;
  const out = alloc(x.shape, x.dtype);
  const xd = x.data, od = out.data;
  for (let base = 0, c = 0; base < xd.length; base += inner, c = (c + 1) % C) {
    const a = scale!.data[c]! / Math.sqrt(variance!.data[c]! + eps);
    const b = bias!.data[c]! - mean!.data[c]! * a;
    for (let i = base; i < base + inner; i++) od[i] = xd[i]! * a + b;
  }
  return [out];
});

/** Normalizes each row of `size` elements: y = (x − mean)/√(var + eps) · scale + bias (scale and bias broadcast over the row). */
function normalizeRows(x: Value, size: number, eps: number, scale: Value | undefined, bias: Value | undefined, out: Value, stats?: { mean: Value; inv: Value }): void {
  const xd = x.data, od = out.data;
  const sd = scale?.data, bd = bias?.data;
  const ss = scale ? scale.data.length : 0, bs = bias ? bias.data.length : 0;
  for (let row = 0, base = 0; base < xd.length; row++, base += size) {
    let sum = 0;
    for (let i = 0; i < size; i++) sum += xd[base + i]!;
    const mean = sum / size;
    let sq = 0;
    for (let i = 0; i < size; i++) {
      const d = xd[base + i]! - mean;
      sq += d * d;
    }
    const inv = 1 / Math.sqrt(sq / size + eps);
    for (let i = 0; i < size; i++) {
      const at = base + i;
      let v = (xd[at]! - mean) * inv;
      if (sd) v *= sd[at % ss]!;
      if (bd) v += bd[at % bs]!;
      od[at] = v;
    }
    if (stats) {
      stats.mean.data[row] = mean;
      stats.inv.data[row] = inv;
    }
  }
}

const LayerNormalization = defineKernel('LayerNormalization', (call) => {
  const x = input(call, 0);
  const axis = normAxis(call.attrs.axis as number, x.shape.length);
  const size = numel(x.shape.slice(axis));
  const out = alloc(x.shape, x.dtype);
  // Mean and InvStdDev hold one value per normalized row, whatever the declared outputs
  const rows = x.data.length / (size || 1);
  const stats = { mean: alloc([rows], 'float32'), inv: alloc([rows], 'float32') };
  normalizeRows(x, size, call.attrs.epsilon as number, call.inputs[1], call.inputs[2], out, stats);
  const statOut = (v: Value, i: number) => reshaped(v, call.outputs[i]!.shape);
  return [out, ...(call.outputs[1] ? [statOut(stats.mean, 1)] : []), ...(call.outputs[2] ? [statOut(stats.inv, 2)] : [])];
});

const InstanceNormalization = defineKernel('InstanceNormalization', (call) => {
  const x = input(call, 0);
  const scale = input(call, 1), bias = input(call, 2);
  const C = x.shape[1]!, inner = numel(x.shape.slice(2));
  const out = alloc(x.shape, x.dtype);
  normalizeRows(x, inner, call.attrs.epsilon as number, undefined, undefined, out);
  for (let i = 0; i < out.data.length; i++) {
    const c = Math.floor(i / inner) % C;
    out.data[i] = out.data[i]! * scale.data[c]! + bias.data[c]!;
  }
  return [out];
});

const LRN = defineKernel('LRN', (call) => {
  const x = input(call, 0);
  const { size, alpha, beta, bias } = call.attrs as { size: number; alpha: number; beta: number; bias: number };
  const [N, C] = x.shape as [number, number];
  const inner = numel(x.shape.slice(2));
  const out = alloc(x.shape, x.dtype);
  const lo = Math.floor((size - 1) / 2), hi = Math.ceil((size - 1) / 2);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const from = Math.max(0, c - lo), to = Math.min(C - 1, c + hi);
      for (let i = 0; i < inner; i++) {
        let sq = 0;
        for (let j = from; j <= to; j++) {
          const v = x.data[(n * C + j) * inner + i]!;
          sq += v * v;
        }
        const at = (n * C + c) * inner + i;
        out.data[at] = x.data[at]! / (bias + (alpha / size) * sq) ** beta;
      }
    }
  }
  return [out];
});

type AxisKind = 'softmax' | 'log' | 'hard';

function alongAxis(op: string, kind: AxisKind): Kernel {
  return defineKernel(op, (call) => {
    const x = input(call, 0);
    const out = alloc(x.shape, x.dtype);
    if (!x.shape.length) {
      out.data[0] = kind === 'log' ? 0 : 1;
      return [out];
    }
    const axis = normAxis(call.attrs.axis as number, x.shape.length);
    const d = x.shape[axis]!, inner = numel(x.shape.slice(axis + 1)), outer = numel(x.shape.slice(0, axis));
    const xd = x.data, od = out.data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * d * inner + i;
        let max = -Infinity, arg = 0;
        for (let j = 0; j < d; j++) {
          const v = xd[base + j * inner]!;
          if (v > max) {
            max = v;
            arg = j;
          }
        }
        if (kind === 'hard') {
          for (let j = 0; j < d; j++) od[base + j * inner] = j === arg ? 1 : 0;
          continue;
        }
        let sum = 0;
        for (let j = 0; j < d; j++) sum += Math.exp(xd[base + j * inner]! - max);
        const logSum = Math.log(sum);
        for (let j = 0; j < d; j++) {
          const z = xd[base + j * inner]! - max;
          od[base + j * inner] = kind === 'log' ? z - logSum : Math.exp(z) / sum;
        }
      }
    }
    return [out];
  });
}

export const NORMALIZATION_KERNELS: Kernel[] = [
  BatchNormalization, LayerNormalization, InstanceNormalization, LRN,
  alongAxis('Softmax', 'softmax'), alongAxis('LogSoftmax', 'log'), alongAxis('Hardmax', 'hard'),
];

/** RMSNormalization: y = x / √(mean(x²) + eps) · scale over axes [axis, rank). */
const RMSNormalization = defineKernel('RMSNormalization', (call) => {
  const x = input(call, 0), scale = input(call, 1);
  const axis = normAxis(call.attrs.axis as number, x.shape.length);
  const size = numel(x.shape.slice(axis));
  const eps = call.attrs.epsilon as number;
  const out = alloc(x.shape, x.dtype);
  const ss = scale.data.length;
  for (let base = 0; base < x.data.length; base += size) {
    let sq = 0;
    for (let i = 0; i < size; i++) sq += x.data[base + i]! ** 2;
    const inv = 1 / Math.sqrt(sq / size + eps);
    for (let i = 0; i < size; i++) out.data[base + i] = x.data[base + i]! * inv * scale.data[(base + i) % ss]!;
  }
  return [out];
});

/** LpNormalization: x / ‖x‖p along one axis (p = 1 or 2). */
const LpNormalization = defineKernel('LpNormalization', (call) => {
  const x = input(call, 0);
  const axis = normAxis(call.attrs.axis as number, x.shape.length);
  const p = call.attrs.p as number;
  const d = x.shape[axis]!, inner = numel(x.shape.slice(axis + 1)), outer = numel(x.shape.slice(0, axis));
  const out = alloc(x.shape, x.dtype);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * d * inner + i;
      let norm = 0;
      for (let j = 0; j < d; j++) norm += Math.abs(x.data[base + j * inner]!) ** p;
      norm = norm ** (1 / p);
      for (let j = 0; j < d; j++) out.data[base + j * inner] = norm ? x.data[base + j * inner]! / norm : 0;
    }
  }
  return [out];
});

export const NORM_KERNELS: Kernel[] = [RMSNormalization, LpNormalization];
