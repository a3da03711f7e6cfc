import { numel } from '../graph.js';
import { constValue, defineOp, intAttr, req, shapeError } from '../op.js';

/** OneHot: indices [...] → [..., depth, ...] with the new axis at `axis`; values [off, on]. No FLOPs; writes the output. */
export const OneHot = defineOp({
  op: 'OneHot',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; writes the output',
  attrs: (raw) => ({ axis: intAttr(raw, 'axis', -1) }),
  infer(inputs, a) {
    const idx = req(inputs, 0, 'indices');
    const depth = Math.trunc(constValue(inputs[1], 'OneHot depth')[0] ?? NaN);
    const values = req(inputs, 2, 'values');
    if (!(depth >= 0) || numel(values.shape) !== 2) throw shapeError(`OneHot needs a non-negative depth and two values, got depth ${depth} and values [${values.shape}]`);
    const r = idx.shape.length + 1;
    const axis = a.axis < 0 ? a.axis + r : a.axis;
    if (axis < 0 || axis >= r) throw shapeError(`OneHot axis ${a.axis} is out of range for rank ${r}`);
    return [{ shape: [...idx.shape.slice(0, axis), depth, ...idx.shape.slice(axis)], dtype: values.dtype }];
  },
  counts: () => ({ macs: 0, otherFlops: 0 }),
});
