import { numel, type TensorType } from '../graph.js';
import { defineOp, intAttr, req } from '../op.js';
import { castValue } from './cast.js';

/** CastLike: converts to the element type of its second input; 1 FLOP per element, like Cast. */
export const CastLike = defineOp({
  op: 'CastLike',
  opClass: 'elementwise',
  flopConvention: '1 FLOP per element',
  attrs: (raw) => ({ saturate: intAttr(raw, 'saturate', 1) }),
  infer(inputs) {
    const x = req(inputs, 0, 'input');
    const to = req(inputs, 1, 'target_type').dtype;
    const out: TensorType = { shape: [...x.shape], dtype: to };
    if (x.value) out.value = castValue(x.value, to);
    return [out];
  },
  counts: (_i, outputs) => ({ macs: 0, otherFlops: numel(outputs[0]!.shape) }),
});
