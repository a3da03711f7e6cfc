import { constValue, defineOp, expectRank, intsAttr, req, shapeError } from '../op.js';

/**
 * MaxUnpool: scatters pooled values back to their recorded positions; the
 * output is [N, C, (in − 1)·stride + kernel − pads] or `output_shape`. No
 * FLOPs; writes the output.
 */
export const MaxUnpool = defineOp({
  op: 'MaxUnpool',
  opClass: 'pooling',
  flopConvention: 'no FLOPs; writes the output',
  attrs: (raw) => ({ kernel_shape: intsAttr(raw, 'kernel_shape'), strides: intsAttr(raw, 'strides', []), pads: intsAttr(raw, 'pads', []) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'X');
    expectRank(x, [3, 4, 5], 'MaxUnpool X');
    const n = x.shape.length - 2;
    if (a.kernel_shape.length !== n) throw shapeError(`MaxUnpool kernel_shape [${a.kernel_shape}] must have ${n} entries`);
    if (inputs[2]) {
      const shape = constValue(inputs[2], 'MaxUnpool output_shape');
      if (shape.length !== x.shape.length) throw shapeError(`MaxUnpool output_shape [${shape}] must have rank ${x.shape.length}`);
      return [{ shape: [...shape], dtype: x.dtype }];
    }
    const size = x.shape.slice(2).map((d, i) => (d - 1) * (a.strides[i] ?? 1) + a.kernel_shape[i]! - (a.pads[i] ?? 0) - (a.pads[i + n] ?? 0));
    if (size.some((d) => d < 0)) throw shapeError(`MaxUnpool output size [${size}] is negative`);
    return [{ shape: [x.shape[0]!, x.shape[1]!, ...size], dtype: x.dtype }];
  },
  counts: () => ({ macs: 0, otherFlops: 0 }),
});
