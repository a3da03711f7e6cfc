import { convGradInputProblem, convGradWeightProblem } from '../../problem/builders.js';
import { numel, type Attrs, type TensorType } from '../graph.js';
import { defineOp, intsAttr, req, shapeError } from '../op.js';
import { convAttrs, convGeometry, convShape, precisionOf, type ConvAttrs, type ConvGeometry } from './conv.js';

/**
 * The two gradients of a convolution (training). Both carry the forward
 * convolution's attributes and run over its iteration space, so each costs
 * exactly the forward MACs: N·K·Πout·(C/group)·Πkernel.
 *
 * ConvGradInput (dY, W) → dX, a transposed convolution of the output
 * gradient; `input_shape` is the shape of the forward input X.
 * ConvGradWeight (X, dY) → dW, a correlation of the input with the output
 * gradient; `weight_shape` is the shape of the forward weight W.
 */
export type ConvGradInputAttrs = ConvAttrs & { input_shape: number[] };
export type ConvGradWeightAttrs = ConvAttrs & { weight_shape: number[] };

/** Checks that dY has the forward convolution's output shape. */
function checkOutputGrad(dy: TensorType, geo: ConvGeometry, op: string): void {
  const expected = [geo.N, geo.K, ...geo.outSize];
  if (dy.shape.join() !== expected.join()) throw shapeError(`${op} output gradient must have the convolution's output shape [${expected}], got [${dy.shape}]`);
}

function macs(geo: ConvGeometry): number {
  return geo.N * geo.K * numel(geo.outSize) * (geo.C / geo.group) * numel(geo.kernel);
}

export const ConvGradInput = defineOp<ConvGradInputAttrs>({
  op: 'ConvGradInput',
  opClass: 'convolution',
  flopConvention: 'MACs = those of the forward convolution (N·K·Πout·(C/group)·Πkernel)',
  attrs: (raw: Attrs) => ({ ...convAttrs(raw), input_shape: intsAttr(raw, 'input_shape') }),
  infer(inputs, a) {
    const dy = req(inputs, 0, 'dY'), w = req(inputs, 1, 'W');
    const geo = convGeometry({ shape: a.input_shape, dtype: dy.dtype }, w, a);
    checkOutputGrad(dy, geo, 'ConvGradInput');
    return [{ shape: [...a.input_shape], dtype: dy.dtype }];
  },
  counts(inputs, _o, a) {
    const dy = req(inputs, 0, 'dY');
    return { macs: macs(convGeometry({ shape: a.input_shape, dtype: dy.dtype }, req(inputs, 1, 'W'), a)), otherFlops: 0 };
  },
  lower(inputs, _o, a) {
    const dy = req(inputs, 0, 'dY');
    const geo = convGeometry({ shape: a.input_shape, dtype: dy.dtype }, req(inputs, 1, 'W'), a);
    return [{ problem: convGradInputProblem(convShape(geo), precisionOf(dy.dtype)), repeat: 1 }];
  },
});

export const ConvGradWeight = defineOp<ConvGradWeightAttrs>({
  op: 'ConvGradWeight',
  opClass: 'convolution',
  flopConvention: 'MACs = those of the forward convolution (N·K·Πout·(C/group)·Πkernel)',
  attrs: (raw: Attrs) => ({ ...convAttrs(raw), weight_shape: intsAttr(raw, 'weight_shape') }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'X'), dy = req(inputs, 1, 'dY');
    const geo = convGeometry(x, { shape: a.weight_shape, dtype: x.dtype }, a);
    checkOutputGrad(dy, geo, 'ConvGradWeight');
    return [{ shape: [...a.weight_shape], dtype: x.dtype }];
  },
  counts(inputs, _o, a) {
    const x = req(inputs, 0, 'X');
    return { macs: macs(convGeometry(x, { shape: a.weight_shape, dtype: x.dtype }, a)), otherFlops: 0 };
  },
  lower(inputs, _o, a) {
    const x = req(inputs, 0, 'X');
    const geo = convGeometry(x, { shape: a.weight_shape, dtype: x.dtype }, a);
    return [{ problem: convGradWeightProblem(convShape(geo), precisionOf(x.dtype)), repeat: 1 }];
  },
});
