import { convProblem } from '../../problem/builders.js';
import { numel } from '../graph.js';
import { defineOp, intAttr, req, shapeError } from '../op.js';
import { convAttrs, convGeometry, convShape, precisionOf, type ConvAttrs } from './conv.js';

/**
 * DeformConv (ONNX 19): a convolution whose kernel taps sample the input at
 * learned offsets (and, optionally, scale by a mask). Output shape and MACs
 * are those of Conv with the same attributes (lowered the same way); each
 * sampled input value costs 7 FLOPs of bilinear interpolation (+1 with a
 * mask): 7·N·Πout·C·Πkernel, and the bias 1 per output element.
 */
export type DeformConvAttrs = ConvAttrs & { offset_group: number };

export const DeformConv = defineOp<DeformConvAttrs>({
  op: 'DeformConv',
  opClass: 'convolution',
  flopConvention: 'MACs as Conv; +7 FLOPs per sampled input value (+1 with a mask), +1 per output element with a bias',
  attrs: (raw) => ({ ...convAttrs(raw), offset_group: intAttr(raw, 'offset_group', 1) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'X');
    const geo = convGeometry(x, req(inputs, 1, 'W'), a);
    const offset = req(inputs, 2, 'offset');
    const taps = numel(geo.kernel);
    const expected = [geo.N, a.offset_group * taps * geo.kernel.length, ...geo.outSize];
    if (offset.shape.join() !== expected.join()) throw shapeError(`DeformConv offset must be [${expected}], got [${offset.shape}]`);
    return [{ shape: [geo.N, geo.K, ...geo.outSize], dtype: x.dtype }];
  },
  counts(inputs, outputs, a) {
    const geo = convGeometry(req(inputs, 0, 'X'), req(inputs, 1, 'W'), a);
    const out = numel(outputs[0]!.shape);
    const samples = geo.N * numel(geo.outSize) * geo.C * numel(geo.kernel);
    return { macs: out * (geo.C / geo.group) * numel(geo.kernel), otherFlops: (inputs[4] ? 8 : 7) * samples + (inputs[3] ? out : 0) };
  },
  lower(inputs, _o, a) {
    const x = req(inputs, 0, 'X');
    return [{ problem: convProblem(convShape(convGeometry(x, req(inputs, 1, 'W'), a)), precisionOf(x.dtype), 'deform-conv'), repeat: 1 }];
  },
});
