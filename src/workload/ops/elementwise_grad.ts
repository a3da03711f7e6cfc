import { numel, type Attrs } from '../graph.js';
import { defineOp, intAttr, req, shapeError, stringAttr } from '../op.js';
import { AccelmapError } from '../../util/errors.js';

/**
 * ElementwiseGrad (training): the input gradient of an op whose input and
 * output have the same shape, dX = dY ⊙ f′(saved), where `of` names the
 * forward op and the inputs after dY are what its derivative reads (the
 * forward input, output or dropout mask; see train/rules.ts). Output: dY's
 * shape. FLOPs per element, by forward op, in the table below (derivative
 * arithmetic plus the product with dY; Softmax-like ops include the row
 * reduction; LRN is 2·size + 6).
 */
export const ELEMENTWISE_GRAD_FLOPS: Readonly<Record<string, number>> = {
  Relu: 1,
  LeakyRelu: 2,
  ThresholdedRelu: 1,
  Elu: 3,
  Selu: 3,
  Celu: 3,
  Sigmoid: 3,
  HardSigmoid: 2,
  HardSwish: 4,
  Tanh: 3,
  Gelu: 8,
  Softplus: 4,
  Softsign: 4,
  Mish: 10,
  Swish: 5,
  Erf: 4,
  Exp: 1,
  Log: 1,
  Sqrt: 2,
  Reciprocal: 3,
  Abs: 2,
  Sin: 2,
  Cos: 2,
  Clip: 2,
  Dropout: 2,
  Softmax: 4,
  LogSoftmax: 4,
};

const lrnFlops = (size: number) => 2 * size + 6;

export function elementwiseGradFlops(of: string, size: number): number {
  if (of === 'LRN') return lrnFlops(size);
  const f = ELEMENTWISE_GRAD_FLOPS[of];
  if (f === undefined) throw new AccelmapError('unsupported', `ElementwiseGrad has no rule for '${of}'`);
  return f;
}

export const ElementwiseGrad = defineOp({
  op: 'ElementwiseGrad',
  opClass: 'elementwise',
  flopConvention: 'per element, by forward op: Relu, Exp, Log 1; Clip, Dropout, Sqrt 2; Sigmoid, Tanh 3; Softmax 4; Gelu 8; LRN 2·size + 6; others in elementwise_grad.ts',
  attrs(raw: Attrs) {
    const of = stringAttr(raw, 'of');
    const size = intAttr(raw, 'size', 0);
    elementwiseGradFlops(of, size);
    return { of, size };
  },
  infer(inputs) {
    const dy = req(inputs, 0, 'dY');
    for (const t of inputs.slice(1)) {
      if (t && numel(t.shape) !== numel(dy.shape)) throw shapeError(`ElementwiseGrad saved input [${t.shape}] differs from the gradient [${dy.shape}]`);
    }
    return [{ shape: [...dy.shape], dtype: dy.dtype }];
  },
  counts: (inputs, _o, a) => ({ macs: 0, otherFlops: elementwiseGradFlops(a.of, a.size) * numel(req(inputs, 0, 'dY').shape) }),
});
