import type { PoolAttrs } from '../../workload/ops/pool.js';
import { slidingWindow } from '../../workload/shape.js';
import { defineKernel, input, unsupported, type Kernel, type KernelCall } from '../kernel.js';
import { alloc } from '../value.js';

/**
 * Pooling over windows of any rank (1-D, 2-D, 3-D): MaxPool (dilations, ceil_mode, the
 * optional Indices output flattened row- or column-major as storage_order says), AveragePool
 * (count_include_pad counts padded positions inside the padded input, not
 * those a ceil_mode window hangs past it), LpPool; and the global pools.
 */
type Reducer = 'max' | 'avg' | 'lp';

/** A list of per-axis values for 1, 2 or 3 spatial axes as 3 (leading axes of size `fill`). */
const as3 = (xs: readonly number[], fill: number) => [...new Array<number>(3 - xs.length).fill(fill), ...xs] as [number, number, number];

function windowed(op: string, kind: Reducer): Kernel {
  return defineKernel<PoolAttrs>(op, (call: KernelCall<PoolAttrs>) => {
    const x = input(call, 0);
    const a = call.attrs;
    const inSize = x.shape.slice(2), nsp = inSize.length;
    if (nsp > 3) throw unsupported(call, `a ${nsp}-D window`);
    const ones = a.kernel_shape.map(() => 1);
    const strides = a.strides.length ? a.strides : ones, dilations = a.dilations.length ? a.dilations : ones;
    const { pads } = slidingWindow(inSize, { kernel: a.kernel_shape, strides, dilations, pads: a.pads, autoPad: a.auto_pad, ceilMode: a.ceil_mode === 1 });
    const [N, C] = x.shape as [number, number];
    const outShape = call.outputs[0]!.shape;
    // every window as 3-D: depth × height × width, unused leading axes of size 1
    const [D, H, W] = as3(inSize, 1), [OD, OH, OW] = as3(outShape.slice(2), 1), [KD, KH, KW] = as3(a.kernel_shape, 1);
    const [sd, sh, sw] = as3(strides, 1), [dd, dh, dw] = as3(dilations, 1);
    const [padF, padT, padL] = as3(pads.slice(0, nsp), 0), [padK, padB, padR] = as3(pads.slice(nsp), 0);
    const out = alloc(outShape, x.dtype);
    const idx = call.outputs[1] ? alloc(call.outputs[1].shape, 'int64') : undefined;
    const xd = x.data, od = out.data, p = a.p;
    // column-major position of (z, y, x) for storage_order 1 (ONNX defines it for 2-D)
    const columnMajor = a.storage_order === 1;
    let o = 0;
    for (let plane = 0; plane < N * C; plane++) {
      const base = plane * D * H * W;
      for (let oz = 0; oz < OD; oz++) {
        for (let oy = 0; oy < OH; oy++) {
          for (let ox = 0; ox < OW; ox++, o++) {
            let acc = kind === 'max' ? -Infinity : 0, arg = -1, count = 0, padded = 0;
            for (let r = 0; r < KD; r++) {
              const iz = oz * sd - padF + r * dd;
              for (let s = 0; s < KH; s++) {
                const iy = oy * sh - padT + s * dh;
                for (let t = 0; t < KW; t++) {
                  const ix = ox * sw - padL + t * dw;
                  if (iz >= -padF && iz < D + padK && iy >= -padT && iy < H + padB && ix >= -padL && ix < W + padR) padded++;
                  if (iz < 0 || iz >= D || iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                  const at = (iz * H + iy) * W + ix;
                  const v = xd[base + at]!;
                  count++;
                  if (kind === 'max') {
                    if (v > acc || arg < 0) {
                      acc = v;
                      arg = columnMajor ? (ix * H + iy) * D + iz : at;
                    }
                  } else if (kind === 'avg') acc += v;
                  else acc += Math.abs(v) ** p;
                }
              }
            }
            od[o] = kind === 'max' ? acc : kind === 'avg' ? acc / (a.count_include_pad ? padded : count) : acc ** (1 / p);
            if (idx) idx.data[o] = base + arg;
          }
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
