import { numel } from '../graph.js';
import { defineOp, req, shapeError } from '../op.js';

/** Det: determinants of the trailing M×M matrices; ⅔·M³ FLOPs per matrix (an LU factorization). */
export const Det = defineOp({
  op: 'Det',
  opClass: 'other',
  flopConvention: '⅔·M³ FLOPs per M×M matrix',
  attrs: () => ({}),
  infer(inputs) {
    const x = req(inputs, 0, 'X');
    const [m, n] = x.shape.slice(-2);
    if (x.shape.length < 2 || m !== n) throw shapeError(`Det needs square matrices in the last two axes, got [${x.shape}]`);
    return [{ shape: x.shape.slice(0, -2), dtype: x.dtype }];
  },
  counts(inputs, outputs) {
    const m = req(inputs, 0, 'X').shape.at(-1)!;
    return { macs: 0, otherFlops: Math.round((2 / 3) * m ** 3) * numel(outputs[0]!.shape) };
  },
});
