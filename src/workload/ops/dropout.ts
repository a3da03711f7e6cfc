import { numel, type TensorType } from '../graph.js';
import { defineOp, floatAttr, intAttr, req } from '../op.js';

/**
 * Dropout (ONNX ≥ 12: ratio and training_mode are optional inputs; the
 * `training_mode` attribute here is what the training transform sets).
 * In inference it is a view (no FLOPs, no bytes). In training it draws a
 * mask and scales: 2 FLOPs per element, and the mask is written.
 */
export const Dropout = defineOp({
  op: 'Dropout',
  opClass: 'elementwise',
  flopConvention: 'inference: a view; training: 2 FLOPs per element',
  attrs: (raw) => ({ ratio: floatAttr(raw, 'ratio', 0.5), training_mode: intAttr(raw, 'training_mode', 0) }),
  infer(inputs) {
    const x = req(inputs, 0, 'data');
    const out: TensorType = { shape: [...x.shape], dtype: x.dtype };
    if (x.value) out.value = x.value;
    return [out, { shape: [...x.shape], dtype: 'bool' }];
  },
  counts(inputs, _o, a) {
    const x = req(inputs, 0, 'data');
    if (!a.training_mode) return { macs: 0, otherFlops: 0, bytesRead: inputs.map(() => 0), bytesWritten: 0 };
    return { macs: 0, otherFlops: 2 * numel(x.shape) };
  },
});
