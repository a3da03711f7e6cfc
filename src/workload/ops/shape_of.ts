import { numel, type TensorType } from '../graph.js';
import { defineOp, intAttr, req, type OpCounts } from '../op.js';

/**
 * Shape and Size read only a tensor's metadata: no FLOPs, no bytes read.
 * Their results are always known, so exported shape arithmetic folds.
 */
const METADATA_COUNTS = (inputs: (TensorType | undefined)[]): OpCounts => ({ macs: 0, otherFlops: 0, bytesRead: inputs.map(() => 0) });

/** Shape (ONNX ≥ 15): the dimensions [start, end) of the input, negative bounds counting from the back and clamped. */
export const Shape = defineOp({
  op: 'Shape',
  opClass: 'data-movement',
  flopConvention: 'metadata only: no FLOPs, reads no bytes',
  attrs: (raw) => ({ start: intAttr(raw, 'start', 0), end: intAttr(raw, 'end', Number.MAX_SAFE_INTEGER) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'data');
    const r = x.shape.length;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
    const value = x.shape.slice(clamp(a.start), Math.max(clamp(a.start), clamp(a.end)));
    return [{ shape: [value.length], dtype: 'int64', value }];
  },
  counts: METADATA_COUNTS,
});

export const Size = defineOp({
  op: 'Size',
  opClass: 'data-movement',
  flopConvention: 'metadata only: no FLOPs, reads no bytes',
  attrs: () => ({}),
  infer: (inputs) => [{ shape: [], dtype: 'int64', value: [numel(req(inputs, 0, 'data').shape)] }],
  counts: METADATA_COUNTS,
});
