import { numel } from '../graph.js';
import { defineOp, intAttr, intsAttr, req, shapeError } from '../op.js';
import { normAxis } from '../shape.js';

/**
 * GatherGrad (training): the gradient of a Gather (or Embedding) with
 * respect to its data: a zero tensor of the data's `shape` into which every
 * slice of dY is added at its index along `axis`. Inputs: dY, indices.
 * The gradient is dense: the whole tensor is written (zero fill + scatter).
 * FLOPs: one addition per element of dY.
 */
export const GatherGrad = defineOp({
  op: 'GatherGrad',
  opClass: 'embedding',
  flopConvention: '1 FLOP per element of dY (scatter-add); writes the whole dense gradient',
  attrs: (raw) => ({ axis: intAttr(raw, 'axis', 0), shape: intsAttr(raw, 'shape') }),
  infer(inputs, a) {
    const dy = req(inputs, 0, 'dY'), idx = req(inputs, 1, 'indices');
    const axis = normAxis(a.axis, a.shape.length, 'GatherGrad axis');
    const expected = [...a.shape.slice(0, axis), ...idx.shape, ...a.shape.slice(axis + 1)];
    if (dy.shape.join() !== expected.join()) throw shapeError(`GatherGrad gradient must be [${expected}], got [${dy.shape}]`);
    return [{ shape: [...a.shape], dtype: dy.dtype }];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: numel(req(inputs, 0, 'dY').shape) }),
});
