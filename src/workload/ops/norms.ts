import { numel, type Attrs } from '../graph.js';
import { defineOp, floatAttr, intAttr, intsAttr, req, type OpKind } from '../op.js';
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

/** A normalization along `axis` that keeps its input's shape and type. */
function alongAxis(op: string, flopsPerElement: number, extra: (raw: Attrs) => Attrs): OpKind {
  return defineOp<Attrs>({
    op,
    opClass: 'normalization',
    flopConvention: `${flopsPerElement} FLOPs per element`,
    attrs: (raw) => ({ axis: intAttr(raw, 'axis', -1), ...extra(raw) }),
    infer(inputs, a) {
      const x = req(inputs, 0, 'input');
      normAxis(a.axis as number, x.shape.length, `${op} axis`);
      return [{ shape: [...x.shape], dtype: x.dtype }];
    },
    counts: (inputs) => ({ macs: 0, otherFlops: flopsPerElement * numel(req(inputs, 0, 'input').shape) }),
  });
}

export const LpNormalization = alongAxis('LpNormalization', 3, (raw) => ({ p: intAttr(raw, 'p', 2) }));

/** RMSNormalization (ONNX 23): normalizes over axes [axis, rank) by the root mean square, then scales. */
export const RMSNormalization = alongAxis('RMSNormalization', 5, (raw) => ({ epsilon: floatAttr(raw, 'epsilon', 1e-5), stash_type: intAttr(raw, 'stash_type', 1) }));
