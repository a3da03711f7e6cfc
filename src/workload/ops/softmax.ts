import { numel } from '../graph.js';
import { defineOp, intAttr, req, type OpKind } from '../op.js';
import { normAxis } from '../shape.js';

/**
 * Softmax, LogSoftmax and Hardmax along `axis` (ONNX ≥ 13 semantics; the
 * importer passes older opsets' axis explicitly). Output shape = input shape.
 * FLOP convention: Softmax and LogSoftmax ≈ 5 per element (max, subtract,
 * exp, sum, divide or log), Hardmax 1 (a comparison).
 */
function softmaxLike(op: string, flopsPerElement: number): OpKind {
  return defineOp({
    op,
    opClass: 'normalization',
    flopConvention: `${flopsPerElement} FLOP${flopsPerElement === 1 ? '' : 's'} per element`,
    attrs: (raw) => ({ axis: intAttr(raw, 'axis', -1) }),
    infer(inputs, a) {
      const x = req(inputs, 0, 'input');
      if (x.shape.length) normAxis(a.axis, x.shape.length);
      return [{ shape: [...x.shape], dtype: x.dtype }];
    },
    counts: (_i, outputs) => ({ macs: 0, otherFlops: flopsPerElement * numel(outputs[0]!.shape) }),
  });
}

export const Softmax = softmaxLike('Softmax', 5);
export const LogSoftmax = softmaxLike('LogSoftmax', 5);
export const Hardmax = softmaxLike('Hardmax', 1);
