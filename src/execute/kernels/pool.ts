import type { PoolAttrs } from '../../workload/ops/pool.js';
import { slidingWindow } from '../../workload/shape.js';
import { defineKernel, input, unsupported, type Kernel, type KernelCall } from '../kernel.js';
import { alloc } from '../value.js';

/**
 * Pooling over 1-D and 2-D windows: MaxPool (dilations, ceil_mode, the
 * optional Indices output flattened row- or column-major as storage_order says), AveragePool
 * (count_include_pad counts padded positions inside the padded input, not
 * those a ceil_mode window hangs past it), LpPool; and the global pools.
 */
type Reducer = 'max' | 'avg' | 'lp';

function windowed(op: string, kind: Reducer): Kernel {
  return defineKernel<PoolAttrs>(op, (call: KernelCall<PoolAttrs>) => {
    const x = input(call, 0);
    const a = call.attrs;
    const nsp = x.shape.length - 2;
    if (nsp > 2) throw unsupported(call, `a ${nsp}-D window`);
    const ones = a.kernel_shape.map(() => 1);
    const { pads } = slidingWindow(x.shape.slice(2), { kernel: a.kernel_shape, strides: a.strides.length ? a.strides : ones, dilations: a.dilations.length ? a.dilations : ones, pads: a.pads, autoPad: a.auto_pad, ceilMode: a.ceil_mode === 1 });
    const two = nsp === 2;
    const at = (xs: number[], i: number, one: number) => (two ? xs[i]! : i === 0 ? one : xs[0]!);
    const [N, C] = x.shape as [number, number];
    const H = at(x.shape.slice(2), 0, 1), W = at(x.shape.slice(2), 1, 1);
    const outShape = call.outputs[0]!.shape;
    const P = at(outShape.slice(2), 0, 1), Q = at(outShape.slice(2), 1, 1);
    const R = at(a.kernel_shape, 0, 1), S = at(a.kernel_shape, 1, 1);
    const sh = at(a.strides.length ? a.strides : ones, 0, 1), sw = at(a.strides.length ? a.strides : ones, 1, 1);
    const dh = at(a.dilations.length ? a.dilations : ones, 0, 1), dw = at(a.dilations.length ? a.dilations : ones, 1, 1);
    const padT = two ? pads[0]! : 0, padL = two ? pads[1]! : pads[0]!;
    const padB = two ? pads[2]! : 0, padR = two ? pads[3]! : pads[1]!;
    const out = alloc(outShape, x.dtype);
    const idx = call.outputs[1] ? alloc(call.outputs[1].shape, 'int64') : undefined;
    const xd = x.data, od = out.data, p = a.p;
    for (let plane = 0; plane < N * C; plane++) {
      const base = plane * H * W;
      for (let oh = 0; oh < P; oh++) {
        for (let ow = 0; ow < Q; ow++) {
          let acc = kind === 'max' ? -Infinity : 0, arg = -1, count = 0, padded = 0;
          for (let r = 0; r < R; r++) {
            const ih = oh * sh - padT + r * dh;
            for (let s = 0; s < S; s++) {
              const iw = ow * sw - padL + s * dw;
              if (ih >= -padT && ih < H + padB && iw >= -padL && iw < W + padR) padded++;
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
              const v = xd[base + ih * W + iw]!;
              count++;
              if (kind === 'max') {
                if (v > acc || arg < 0) {
                  acc = v;
                  arg = a.storage_order ? iw * H + ih : ih * W + iw;
                }
              } else if (kind === 'avg') acc += v;
              else acc += Math.abs(v) ** p;
            }
          }
          const o = (plane * P + oh) * Q + ow;
          od[o] = kind === 'max' ? acc : kind === 'avg' ? acc / (a.count_include_pad ? padded : count) : acc ** (1 / p);
          if (idx) idx.data[o] = base + arg;
        }
      }
    }
    return idx ? [out, idx] : [out];
  });
}

function global(op: string, kind: Reducer): Kernel {
  return defineKernel(op, (call) => {
    const x = input(call, 0);
    const [N, C] = x.shape as [number, number];
    const plane = x.data.length / (N * C || 1);
    const out = alloc(call.outputs[0]!.shape, x.dtype);
    const p = (call.attrs.p as number | undefined) ?? 2;
    for (let i = 0; i < N * C; i++) {
      let acc = kind === 'max' ? -Infinity : 0;
      for (let j = i * plane; j < (i + 1) * plane; j++) {
        const v = x.data[j]!;
        acc = kind === 'max' ? (v > acc ? v : acc) : kind === 'avg' ? acc + v : acc + Math.abs(v) ** p;
      }
      out.data[i] = kind === 'avg' ? acc / plane : kind === 'lp' ? acc ** (1 / p) : acc;
    }
    return [out];
  });
}

export const POOL_KERNELS: Kernel[] = [
  windowed('MaxPool', 'max'), windowed('AveragePool', 'avg'), windowed('LpPool', 'lp'),
  global('GlobalAveragePool', 'avg'), global('GlobalMaxPool', 'max'), global('GlobalLpPool', 'lp'),
];
