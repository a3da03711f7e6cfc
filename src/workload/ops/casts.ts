import { dtypeBits, parseDType } from '../dtype.js';
import { numel, type TensorType } from '../graph.js';
import { defineOp, intAttr, req, shapeError, stringAttr } from '../op.js';
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

/** BitCast (ONNX 26): reinterprets the bits as another element type of the same width; a view (no FLOPs, no bytes). */
export const BitCast = defineOp({
  op: 'BitCast',
  opClass: 'data-movement',
  flopConvention: 'a view: no FLOPs, no bytes',
  attrs: (raw) => ({ to: parseDType(stringAttr(raw, 'to')) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'input');
    const to = parseDType(a.to);
    if (dtypeBits(to) !== dtypeBits(x.dtype)) throw shapeError(`BitCast from ${x.dtype} to ${to}: the element widths differ`);
    return [{ shape: [...x.shape], dtype: to }];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: 0, bytesRead: inputs.map(() => 0), bytesWritten: 0 }),
});
