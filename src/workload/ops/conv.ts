import { convProblem, type ConvShape } from '../../problem/builders.js';
import { dtypeBits, isInteger, type DType } from '../dtype.js';
import { numel, type Attrs, type TensorType } from '../graph.js';
import { defineOp, enumAttr, expectRank, intAttr, intsAttr, req, shapeError } from '../op.js';
import { slidingWindow, type AutoPad } from '../shape.js';

/**
 * Conv (ONNX semantics): X [N, C, spatial…] ∗ W [K, C/group, kernel…] (+ B [K]).
 * Grouped and depthwise (group = C), strided, padded (explicit or auto_pad),
 * dilated; 1-D, 2-D and 3-D.
 * MACs = N · K · Πout · (C/group) · Πkernel; bias adds 1 FLOP per output element.
 */
export type ConvAttrs = {
  kernel_shape: number[];
  strides: number[];
  pads: number[];
  dilations: number[];
  group: number;
  auto_pad: AutoPad;
};

export const AUTO_PADS = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'] as const;

export interface ConvGeometry {
  N: number;
  C: number;
  K: number;
  group: number;
  inSize: number[];
  kernel: number[];
  outSize: number[];
  strides: number[];
  dilations: number[];
  pads: number[];
}

/** Shared by Conv's shape rule, counts, lowering and the convolution backward ops. */
export function convGeometry(x: TensorType, w: TensorType, a: ConvAttrs): ConvGeometry {
  expectRank(x, [3, 4, 5], 'Conv input X');
  const nsp = x.shape.length - 2;
  expectRank(w, nsp + 2, 'Conv weight W');
  const [N, C] = x.shape as [number, number];
  const K = w.shape[0]!;
  const g = a.group;
  if (C % g !== 0 || K % g !== 0) throw shapeError(`Conv group ${g} must divide input channels ${C} and output channels ${K}`);
  if (w.shape[1] !== C / g) throw shapeError(`Conv weight has ${w.shape[1]} input channels per group, input X has ${C}/${g} = ${C / g}`);
  const kernel = w.shape.slice(2);
  if (a.kernel_shape.length && a.kernel_shape.join() !== kernel.join()) throw shapeError(`Conv kernel_shape [${a.kernel_shape}] differs from the weight's [${kernel}]`);
  const strides = a.strides.length ? a.strides : kernel.map(() => 1);
  const dilations = a.dilations.length ? a.dilations : kernel.map(() => 1);
  const inSize = x.shape.slice(2);
  const { outSize, pads } = slidingWindow(inSize, { kernel, strides, dilations, pads: a.pads, autoPad: a.auto_pad });
  return { N, C, K, group: g, inSize, kernel, outSize, strides, dilations, pads };
}

/** The loop-nest shape of a convolution (1-D as H = 1; a 3-D one folds output depth into N and kernel depth into C). */
export function convShape(geo: ConvGeometry): ConvShape {
  const sp = geo.outSize.length;
  const k = geo.kernel, o = geo.outSize;
  const last2 = <T>(xs: T[], fill: T): [T, T] => (sp === 1 ? [fill, xs[0]!] : [xs[sp - 2]!, xs[sp - 1]!]);
  const [P, Q] = last2(o, 1);
  const [R, S] = last2(k, 1);
  const [strideH, strideW] = last2(geo.strides, 1);
  const [dilationH, dilationW] = last2(geo.dilations, 1);
  const depthOut = sp === 3 ? o[0]! : 1;
  const depthK = sp === 3 ? k[0]! : 1;
  return {
    N: geo.N * depthOut,
    K: geo.K / geo.group,
    C: (geo.C / geo.group) * depthK,
    P, Q, R, S, G: geo.group,
    strideH, strideW, dilationH, dilationW,
  };
}

export function precisionOf(dtype: DType): { operandBits: number; resultBits: number } {
  const bits = dtypeBits(dtype);
  return { operandBits: bits, resultBits: isInteger(dtype) ? 32 : bits };
}

export function convAttrs(r: Attrs): ConvAttrs {
  return {
    kernel_shape: intsAttr(r, 'kernel_shape', []),
    strides: intsAttr(r, 'strides', []),
    pads: intsAttr(r, 'pads', []),
    dilations: intsAttr(r, 'dilations', []),
    group: intAttr(r, 'group', 1),
    auto_pad: enumAttr(r, 'auto_pad', AUTO_PADS, 'NOTSET'),
  };
}

export const Conv = defineOp<ConvAttrs>({
  op: 'Conv',
  opClass: 'convolution',
  flopConvention: 'MACs = N·K·Πout·(C/group)·Πkernel; +1 FLOP per output element for the bias',
  attrs: convAttrs,
  infer(inputs, a) {
    const x = req(inputs, 0, 'X'), w = req(inputs, 1, 'W');
    const geo = convGeometry(x, w, a);
    const b = inputs[2];
    if (b && (b.shape.length !== 1 || b.shape[0] !== geo.K)) throw shapeError(`Conv bias must have shape [${geo.K}], got [${b.shape}]`);
    return [{ shape: [geo.N, geo.K, ...geo.outSize], dtype: x.dtype }];
  },
  counts(inputs, outputs, a) {
    const geo = convGeometry(req(inputs, 0, 'X'), req(inputs, 1, 'W'), a);
    const outElems = numel(outputs[0]!.shape);
    return { macs: outElems * (geo.C / geo.group) * numel(geo.kernel), otherFlops: inputs[2] ? outElems : 0 };
  },
  lower(inputs, _outputs, a) {
    const x = req(inputs, 0, 'X');
    const geo = convGeometry(x, req(inputs, 1, 'W'), a);
    return [{ problem: convProblem(convShape(geo), precisionOf(x.dtype)), repeat: 1 }];
  },
});
