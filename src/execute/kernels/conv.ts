import { convGeometry, type ConvAttrs, type ConvGeometry } from '../../workload/ops/conv.js';
import type { ConvTransposeAttrs } from '../../workload/ops/conv_transpose.js';
import { gemm, transposeInto } from '../gemm.js';
import { defineKernel, input, unsupported, type Kernel, type KernelCall } from '../kernel.js';
import { alloc, type Value } from '../value.js';

/**
 * Conv (1-D and 2-D; groups, strides, dilations, explicit and auto padding)
 * as im2col + matrix product per image and group: the window of every output
 * pixel is laid out as a contiguous row (colT [P·Q, C/g·R·S]) and each output
 * channel's filter is dotted with it. A 1×1 unstrided, unpadded convolution
 * needs no window copy, only a transpose; a depthwise one is a direct
 * window sum.
 */
export interface Conv2d {
  N: number; C: number; K: number; G: number;
  H: number; W: number; P: number; Q: number; R: number; S: number;
  sh: number; sw: number; dh: number; dw: number; padT: number; padL: number;
}

export function as2d(geo: ConvGeometry): Conv2d {
  const two = geo.inSize.length === 2;
  const pick = (xs: number[], i: number, one: number) => (two ? xs[i]! : i === 0 ? one : xs[0]!);
  return {
    N: geo.N, C: geo.C, K: geo.K, G: geo.group,
    H: pick(geo.inSize, 0, 1), W: pick(geo.inSize, 1, 1),
    P: pick(geo.outSize, 0, 1), Q: pick(geo.outSize, 1, 1),
    R: pick(geo.kernel, 0, 1), S: pick(geo.kernel, 1, 1),
    sh: pick(geo.strides, 0, 1), sw: pick(geo.strides, 1, 1),
    dh: pick(geo.dilations, 0, 1), dw: pick(geo.dilations, 1, 1),
    padT: two ? geo.pads[0]! : 0, padL: two ? geo.pads[1]! : geo.pads[0]!,
  };
}

/** colT[pq, (c·R + r)·S + s] for channels [c0, c0 + Cg) of image data at `xOff`. */
export function im2colT(x: ArrayLike<number>, xOff: number, Cg: number, d: Conv2d, col: Float32Array): void {
  const { H, W, P, Q, R, S, sh, sw, dh, dw, padT, padL } = d;
  const crs = Cg * R * S;
  for (let p = 0; p < P; p++) {
    for (let q = 0; q < Q; q++) {
      let at = (p * Q + q) * crs;
      const w0 = q * sw - padL;
      for (let c = 0; c < Cg; c++) {
        const plane = xOff + c * H * W;
        for (let r = 0; r < R; r++) {
          const ih = p * sh - padT + r * dh;
          if (ih < 0 || ih >= H) {
            col.fill(0, at, at + S);
            at += S;
            continue;
          }
          const row = plane + ih * W;
          for (let s = 0; s < S; s++) {
            const iw = w0 + s * dw;
            col[at++] = iw >= 0 && iw < W ? x[row + iw]! : 0;
          }
        }
      }
    }
  }
}

/** A depthwise convolution (one input and one output channel per group): a direct window sum per plane, no matrix product. */
function depthwise(x: Value, w: Value, bias: Value | undefined, d: Conv2d, out: Value): void {
  const { N, C, H, W, P, Q, R, S, sh, sw, dh, dw, padT, padL } = d;
  const xd = x.data, wd = w.data, od = out.data;
  for (let plane = 0; plane < N * C; plane++) {
    const c = plane % C;
    const xBase = plane * H * W, wBase = c * R * S, oBase = plane * P * Q;
    const b = bias ? bias.data[c]! : 0;
    for (let p = 0; p < P; p++) {
      for (let q = 0; q < Q; q++) {
        let sum = b;
        for (let r = 0; r < R; r++) {
          const ih = p * sh - padT + r * dh;
          if (ih < 0 || ih >= H) continue;
          const row = xBase + ih * W;
          for (let s = 0; s < S; s++) {
            const iw = q * sw - padL + s * dw;
            if (iw >= 0 && iw < W) sum += xd[row + iw]! * wd[wBase + r * S + s]!;
          }
        }
        od[oBase + p * Q + q] = sum;
      }
    }
  }
}

export function conv2d(x: Value, w: Value, bias: Value | undefined, d: Conv2d, out: Value): void {
  const { N, C, K, G, H, W, P, Q, R, S } = d;
  const Cg = C / G, Kg = K / G, PQ = P * Q, crs = Cg * R * S;
  if (Cg === 1 && Kg === 1) return depthwise(x, w, bias, d, out);
  const o = out.data as Float32Array | Float64Array;
  const pointwise = R === 1 && S === 1 && d.sh === 1 && d.sw === 1 && d.padT === 0 && d.padL === 0 && P === H && Q === W;
  const col = new Float32Array(PQ * crs);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      const xOff = (n * C + g * Cg) * H * W;
      if (pointwise) transposeInto(x.data, xOff, Cg, PQ, col);
      else im2colT(x.data, xOff, Cg, d, col);
      const cOff = (n * K + g * Kg) * PQ;
      if (bias) for (let k = 0; k < Kg; k++) o.fill(bias.data[g * Kg + k]!, cOff + k * PQ, cOff + (k + 1) * PQ);
      gemm(Kg, PQ, crs, w.data, g * Kg * crs, col, 0, o, cOff, PQ, bias !== undefined);
    }
  }
}

function run(call: KernelCall<ConvAttrs>): Value[] {
  const x = input(call, 0), w = input(call, 1);
  const geo = convGeometry(x, w, call.attrs);
  if (geo.inSize.length > 2) throw unsupported(call, `a ${geo.inSize.length}-D convolution`);
  const out = alloc(call.outputs[0]!.shape, call.outputs[0]!.dtype);
  conv2d(x, w, call.inputs[2], as2d(geo), out);
  return [out];
}

/** Visits every (image, group-local filter, input channel, output pixel, tap) of a convolution with its input and output offsets. */
export function eachTap(d: Conv2d, visit: (xAt: number, wAt: number, yAt: number) => void): void {
  const { N, C, K, G, H, W, P, Q, R, S, sh, sw, dh, dw, padT, padL } = d;
  const Cg = C / G, Kg = K / G;
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const g = Math.floor(k / Kg);
      for (let c = 0; c < Cg; c++) {
        const xPlane = (n * C + g * Cg + c) * H * W, wBase = (k * Cg + c) * R * S;
        for (let p = 0; p < P; p++) {
          for (let q = 0; q < Q; q++) {
            const yAt = ((n * K + k) * P + p) * Q + q;
            for (let r = 0; r < R; r++) {
              const ih = p * sh - padT + r * dh;
              if (ih < 0 || ih >= H) continue;
              for (let s = 0; s < S; s++) {
                const iw = q * sw - padL + s * dw;
                if (iw >= 0 && iw < W) visit(xPlane + ih * W + iw, wBase + r * S + s, yAt);
              }
            }
          }
        }
      }
    }
  }
}

/**
 * ConvTranspose: the data gradient of the convolution whose output is X —
 * its filters [C_in, C_out/group, R, S] are that convolution's [K, C/group,
 * R, S]; each input element adds its filter, scaled, into the output window
 * it came from. Begin pads as given, or from auto_pad / output_shape as ONNX
 * places the total padding (SAME_UPPER: the extra one at the end).
 */
function convTranspose(call: KernelCall<ConvTransposeAttrs>): Value[] {
  const x = input(call, 0), w = input(call, 1), bias = call.inputs[2];
  const a = call.attrs;
  const inSize = x.shape.slice(2), nsp = inSize.length;
  if (nsp > 2) throw unsupported(call, `a ${nsp}-D transposed convolution`);
  const outShape = call.outputs[0]!.shape, outSize = outShape.slice(2);
  const kernel = w.shape.slice(2);
  const ones = kernel.map(() => 1);
  const strides = a.strides.length ? a.strides : ones, dil = a.dilations.length ? a.dilations : ones;
  const outPad = a.output_padding.length ? a.output_padding : kernel.map(() => 0);
  const begin = kernel.map((k, i) => {
    if (a.auto_pad === 'NOTSET' && !a.output_shape.length) return a.pads[i] ?? 0;
    if (a.auto_pad === 'VALID') return 0;
    const total = strides[i]! * (inSize[i]! - 1) + outPad[i]! + (k - 1) * dil[i]! + 1 - outSize[i]!;
    if (a.auto_pad === 'NOTSET') return a.pads.length ? a.pads[i]! : total - Math.floor(total / 2);
    return a.auto_pad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
  });
  const two = nsp === 2;
  const at = (xs: number[], i: number, one: number) => (two ? xs[i]! : i === 0 ? one : xs[0]!);
  const d: Conv2d = {
    N: x.shape[0]!, C: outShape[1]!, K: x.shape[1]!, G: a.group,
    H: at(outSize, 0, 1), W: at(outSize, 1, 1), P: at(inSize, 0, 1), Q: at(inSize, 1, 1), R: at(kernel, 0, 1), S: at(kernel, 1, 1),
    sh: at(strides, 0, 1), sw: at(strides, 1, 1), dh: at(dil, 0, 1), dw: at(dil, 1, 1), padT: at(begin, 0, 0), padL: at(begin, 1, 0),
  };
  const out = alloc(outShape, call.outputs[0]!.dtype);
  const o = out.data, xd = x.data, wd = w.data;
  eachTap(d, (oAt, wAt, xAt) => {
    o[oAt] = o[oAt]! + xd[xAt]! * wd[wAt]!;
  });
  if (bias) {
    const plane = d.H * d.W;
    for (let i = 0; i < o.length; i++) o[i] = o[i]! + bias.data[Math.floor(i / plane) % d.C]!;
  }
  return [out];
}

export const CONV_KERNELS: Kernel[] = [defineKernel<ConvAttrs>('Conv', run), defineKernel<ConvTransposeAttrs>('ConvTranspose', convTranspose)];
