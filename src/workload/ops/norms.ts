import { numel } from '../graph.js';
import { defineOp, floatAttr, intAttr, intsAttr, req } from '../op.js';
import { normAxis } from '../shape.js';

/**
 * Normalizations beyond the classic ones. FLOP convention per element:
 * MeanVarianceNormalization 6 (mean 1, variance 3, normalize 2);
 * LpNormalization 3 (|x|^p, accumulate, divide; the root per vector is not
 * counted); RMSNormalization 5 (square 1, accumulate 1, normalize 2, scale 1).
 */
export const MeanVarianceNormalization = defineOp({
  op: 'MeanVarianceNormalization',
  opClass: 'normalization',
  flopConvention: '6 FLOPs per element',
  attrs: (raw) => ({ axes: intsAttr(raw, 'axes', [0, 2, 3]) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'X');
    for (const ax of a.axes) normAxis(ax, x.shape.length, 'MeanVarianceNormalization axis');
    return [{ shape: [...x.shape], dtype: x.dtype }];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: 6 * numel(req(inputs, 0, 'X').shape) }),
});

export const LpNormalization = defineOp({
  op: 'LpNormalization',
  opClass: 'normalization',
  flopConvention: '3 FLOPs per element',
  attrs: (raw) => ({ axis: intAttr(raw, 'axis', -1), p: intAttr(raw, 'p', 2) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'input');
    normAxis(a.axis, x.shape.length, 'LpNormalization axis');
    return [{ shape: [...x.shape], dtype: x.dtype }];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: 3 * numel(req(inputs, 0, 'input').shape) }),
});

/** RMSNormalization (ONNX 23): normalizes over axes [axis, rank) by the root mean square, then scales. */
export const RMSNormalization = defineOp({
  op: 'RMSNormalization',
  opClass: 'normalization',
  flopConvention: '5 FLOPs per element',
  attrs: (raw) => ({ axis: intAttr(raw, 'axis', -1), epsilon: floatAttr(raw, 'epsilon', 1e-5), stash_type: intAttr(raw, 'stash_type', 1) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'X');
    normAxis(a.axis, x.shape.length, 'RMSNormalization axis');
    return [{ shape: [...x.shape], dtype: x.dtype }];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: 5 * numel(req(inputs, 0, 'X').shape) }),
});
