import { numel } from '../graph.js';
import { constValue, defineOp, intAttr, req, shapeError } from '../op.js';
import { normAxis } from '../shape.js';

/**
 * TopK (ONNX ≥ 11): the k largest (or smallest) elements along `axis` and
 * their indices; k is input 1 (the importer moves older opsets' attribute
 * there). FLOP convention: ⌈log2(k + 1)⌉ comparisons per input element (a
 * heap of k).
 */
export const TopK = defineOp({
  op: 'TopK',
  opClass: 'reduction',
  flopConvention: '⌈log2(k + 1)⌉ FLOPs per input element',
  attrs: (raw) => ({ axis: intAttr(raw, 'axis', -1), largest: intAttr(raw, 'largest', 1), sorted: intAttr(raw, 'sorted', 1) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'X');
    const axis = normAxis(a.axis, x.shape.length, 'TopK axis');
    const k = constValue(inputs[1], 'TopK k')[0];
    if (k === undefined || k < 0 || k > x.shape[axis]!) throw shapeError(`TopK k ${k} must be between 0 and the axis size ${x.shape[axis]}`);
    const shape = [...x.shape];
    shape[axis] = k;
    return [{ shape, dtype: x.dtype }, { shape: [...shape], dtype: 'int64' }];
  },
  counts(inputs, outputs, a) {
    const x = req(inputs, 0, 'X');
    const k = outputs[0]!.shape[normAxis(a.axis, x.shape.length)]!;
    return { macs: 0, otherFlops: numel(x.shape) * Math.ceil(Math.log2(k + 1)) };
  },
});
