import { convGradInputProblem } from '../../problem/builders.js';
import { numel } from '../graph.js';
import { defineOp, expectRank, intsAttr, req, shapeError } from '../op.js';
import { checkWindowAttrs } from '../shape.js';
import { convAttrs, precisionOf, type ConvAttrs } from './conv.js';
import type { Attrs, TensorType } from '../graph.js';

/**
 * ConvTranspose (ONNX semantics): X [N, C, in…], W [C, K/group, kernel…] → Y [N, K, out…],
 * out = stride·(in − 1) + output_padding + (kernel − 1)·dilation + 1 − pad_begin − pad_end,
 * or `output_shape` when given (auto_pad SAME_* then places the padding).
 * MACs = N · C · Πin · (K/group) · Πkernel (every input element is scattered over a kernel window).
 */
export type ConvTransposeAttrs = ConvAttrs & { output_padding: number[]; output_shape: number[] };

interface TransposeGeometry {
  N: number;
  C: number;
  K: number;
  inSize: number[];
  kernel: number[];
  outSize: number[];
}

function geometry(x: TensorType, w: TensorType, a: ConvTransposeAttrs): TransposeGeometry {
  expectRank(x, [3, 4, 5], 'ConvTranspose input X');
  const nsp = x.shape.length - 2;
  expectRank(w, nsp + 2, 'ConvTranspose weight W');
  const [N, C] = x.shape as [number, number];
  if (w.shape[0] !== C) throw shapeError(`ConvTranspose weight has ${w.shape[0]} input channels, X has ${C}`);
  if (C % a.group !== 0) throw shapeError(`ConvTranspose group ${a.group} must divide input channels ${C}`);
  const K = w.shape[1]! * a.group;
  const kernel = w.shape.slice(2);
  const inSize = x.shape.slice(2);
  const strides = a.strides.length ? a.strides : kernel.map(() => 1);
  const dil = a.dilations.length ? a.dilations : kernel.map(() => 1);
  const outPad = a.output_padding.length ? a.output_padding : kernel.map(() => 0);
  checkWindowAttrs({ kernel, strides, dilations: dil, pads: a.pads });
  let outSize: number[];
  if (a.output_shape.length) {
    outSize = a.output_shape.slice(-nsp);
  } else if (a.auto_pad === 'SAME_UPPER' || a.auto_pad === 'SAME_LOWER') {
    outSize = inSize.map((v, i) => v * strides[i]!);
  } else {
    const pads = a.auto_pad === 'VALID' || !a.pads.length ? new Array<number>(2 * nsp).fill(0) : a.pads;
    outSize = inSize.map((v, i) => strides[i]! * (v - 1) + outPad[i]! + (kernel[i]! - 1) * dil[i]! + 1 - pads[i]! - pads[i + nsp]!);
  }
  if (outSize.some((v) => v <= 0)) throw shapeError(`ConvTranspose output size [${outSize}] is not positive`);
  return { N, C, K, inSize, kernel, outSize };
}

export const ConvTranspose = defineOp<ConvTransposeAttrs>({
  op: 'ConvTranspose',
  opClass: 'convolution',
  flopConvention: 'MACs = N·C·Πin·(K/group)·Πkernel; +1 FLOP per output element for the bias',
  attrs: (raw: Attrs) => ({ ...convAttrs(raw), output_padding: intsAttr(raw, 'output_padding', []), output_shape: intsAttr(raw, 'output_shape', []) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'X');
    const g = geometry(x, req(inputs, 1, 'W'), a);
    return [{ shape: [g.N, g.K, ...g.outSize], dtype: x.dtype }];
  },
  counts(inputs, outputs, a) {
    const g = geometry(req(inputs, 0, 'X'), req(inputs, 1, 'W'), a);
    return { macs: g.N * g.C * numel(g.inSize) * (g.K / a.group) * numel(g.kernel), otherFlops: inputs[2] ? numel(outputs[0]!.shape) : 0 };
  },
  lower(inputs, _outputs, a) {
    const x = req(inputs, 0, 'X');
    const g = geometry(x, req(inputs, 1, 'W'), a);
    const sp = g.inSize.length;
    const pick = (xs: number[], fill: number): [number, number] => (sp === 1 ? [fill, xs[0]!] : [xs[sp - 2]!, xs[sp - 1]!]);
    const [P, Q] = pick(g.inSize, 1);
    const [R, S] = pick(g.kernel, 1);
    const strides = a.strides.length ? a.strides : g.kernel.map(() => 1);
    const dil = a.dilations.length ? a.dilations : g.kernel.map(() => 1);
    const [strideH, strideW] = pick(strides, 1);
    const [dilationH, dilationW] = pick(dil, 1);
    const depthIn = sp === 3 ? g.inSize[0]! : 1;
    const depthK = sp === 3 ? g.kernel[0]! : 1;
    // A transposed convolution is the input gradient of the convolution whose output is X.
    const problem = convGradInputProblem(
      { N: g.N * depthIn, K: g.C / a.group, C: (g.K / a.group) * depthK, P, Q, R, S, G: a.group, strideH, strideW, dilationH, dilationW },
      precisionOf(x.dtype),
    );
    return [{ problem: { ...problem, kind: 'conv-transpose' }, repeat: 1 }];
  },
});
