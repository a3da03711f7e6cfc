import { numel, type TensorType } from '../graph.js';
import { defineOp, expectRank, floatAttr, intAttr, req, shapeError } from '../op.js';
import { normAxis } from '../shape.js';

/**
 * Normalizations. FLOP convention per element: applying a stored scale and
 * shift costs 2 (inference BatchNormalization, folded to x·a + b);
 * computing statistics as well costs 8 (mean 1, variance 3, normalize 2,
 * scale and shift 2) — LayerNormalization, InstanceNormalization,
 * GroupNormalization and BatchNormalization in training mode.
 */
export const STATS_FLOPS_PER_ELEMENT = 8;

export const BatchNormalization = defineOp({
  op: 'BatchNormalization',
  opClass: 'normalization',
  flopConvention: '2 FLOPs per element in inference (scale and shift); 8 in training mode (statistics too)',
  attrs: (raw) => ({ epsilon: floatAttr(raw, 'epsilon', 1e-5), momentum: floatAttr(raw, 'momentum', 0.9), training_mode: intAttr(raw, 'training_mode', 0) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'X');
    expectRank(x, [1, 2, 3, 4, 5], 'BatchNormalization input');
    const C = x.shape.length > 1 ? x.shape[1]! : 1;
    for (let i = 1; i <= 4; i++) {
      const p = inputs[i];
      if (p && numel(p.shape) !== C) throw shapeError(`BatchNormalization input ${i} must have ${C} elements (one per channel), got [${p.shape}]`);
    }
    const outs: TensorType[] = [{ shape: [...x.shape], dtype: x.dtype }];
    if (a.training_mode) outs.push({ shape: [C], dtype: inputs[3]?.dtype ?? x.dtype }, { shape: [C], dtype: inputs[4]?.dtype ?? x.dtype });
    return outs;
  },
  counts: (inputs, _o, a) => ({ macs: 0, otherFlops: (a.training_mode ? STATS_FLOPS_PER_ELEMENT : 2) * numel(req(inputs, 0, 'X').shape) }),
});

/** LayerNormalization (ONNX 17): normalizes over axes [axis, rank); optional Mean and InvStdDev outputs have the reduced shape. */
export const LayerNormalization = defineOp({
  op: 'LayerNormalization',
  opClass: 'normalization',
  flopConvention: '8 FLOPs per element (statistics, normalize, scale and shift)',
  attrs: (raw) => ({ axis: intAttr(raw, 'axis', -1), epsilon: floatAttr(raw, 'epsilon', 1e-5), stash_type: intAttr(raw, 'stash_type', 1) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'X');
    const axis = normAxis(a.axis, x.shape.length);
    const reduced = x.shape.map((d, i) => (i < axis ? d : 1));
    return [{ shape: [...x.shape], dtype: x.dtype }, { shape: reduced, dtype: 'float32' }, { shape: [...reduced], dtype: 'float32' }];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: STATS_FLOPS_PER_ELEMENT * numel(req(inputs, 0, 'X').shape) }),
});

export const InstanceNormalization = defineOp({
  op: 'InstanceNormalization',
  opClass: 'normalization',
  flopConvention: '8 FLOPs per element',
  attrs: (raw) => ({ epsilon: floatAttr(raw, 'epsilon', 1e-5) }),
  infer(inputs) {
    const x = req(inputs, 0, 'input');
    expectRank(x, [3, 4, 5], 'InstanceNormalization input');
    return [{ shape: [...x.shape], dtype: x.dtype }];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: STATS_FLOPS_PER_ELEMENT * numel(req(inputs, 0, 'input').shape) }),
});

export const GroupNormalization = defineOp({
  op: 'GroupNormalization',
  opClass: 'normalization',
  flopConvention: '8 FLOPs per element',
  attrs: (raw) => ({ epsilon: floatAttr(raw, 'epsilon', 1e-5), num_groups: intAttr(raw, 'num_groups') }),
  infer(inputs) {
    const x = req(inputs, 0, 'X');
    return [{ shape: [...x.shape], dtype: x.dtype }];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: STATS_FLOPS_PER_ELEMENT * numel(req(inputs, 0, 'X').shape) }),
});

/**
 * LRN (cross-channel local response normalization): per element a sum of
 * `size` squares (2·size FLOPs) then bias + alpha/size · sum, a power and a
 * division (4): 2·size + 4 per element.
 */
export const LRN = defineOp({
  op: 'LRN',
  opClass: 'normalization',
  flopConvention: '2·size + 4 FLOPs per element',
  attrs: (raw) => ({ size: intAttr(raw, 'size'), alpha: floatAttr(raw, 'alpha', 1e-4), beta: floatAttr(raw, 'beta', 0.75), bias: floatAttr(raw, 'bias', 1) }),
  infer(inputs) {
    const x = req(inputs, 0, 'X');
    return [{ shape: [...x.shape], dtype: x.dtype }];
  },
  counts: (inputs, _o, a) => ({ macs: 0, otherFlops: (2 * a.size + 4) * numel(req(inputs, 0, 'X').shape) }),
});
