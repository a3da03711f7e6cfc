import { numel } from '../graph.js';
import { defineOp, enumAttr, req, shapeError } from '../op.js';

/**
 * NormalizationGrad (training): the backward pass of a normalization `of`
 * BatchNormalization, LayerNormalization, InstanceNormalization or
 * GroupNormalization. Inputs: dY, the forward input X, the scale, then the
 * per-group statistics the forward pass saved (mean and variance or inverse
 * standard deviation; none for Instance/GroupNormalization, which recompute
 * them). Outputs: dX (X's shape), dScale and dBias (the scale's shape).
 * FLOPs per element of X: 10 (normalized input 2, the two parameter-gradient
 * sums 3, the input gradient 5), 13 when statistics are recomputed.
 */
export const NORMALIZATIONS = ['BatchNormalization', 'LayerNormalization', 'InstanceNormalization', 'GroupNormalization'] as const;

export const NormalizationGrad = defineOp({
  op: 'NormalizationGrad',
  opClass: 'normalization',
  flopConvention: '10 FLOPs per input element; 13 when the statistics are recomputed',
  attrs: (raw) => ({ of: enumAttr(raw, 'of', NORMALIZATIONS, 'BatchNormalization') }),
  infer(inputs) {
    const dy = req(inputs, 0, 'dY'), x = req(inputs, 1, 'X'), scale = req(inputs, 2, 'scale');
    if (dy.shape.join() !== x.shape.join()) throw shapeError(`NormalizationGrad dY [${dy.shape}] and X [${x.shape}] differ`);
    return [{ shape: [...x.shape], dtype: dy.dtype }, { shape: [...scale.shape], dtype: scale.dtype }, { shape: [...scale.shape], dtype: scale.dtype }];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: (inputs[3] ? 10 : 13) * numel(req(inputs, 1, 'X').shape) }),
});
