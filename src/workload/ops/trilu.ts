import { constValue, defineOp, intAttr, req, shapeError } from '../op.js';
import { withValue } from './movement.js';

/**
 * Trilu: keeps the upper (or lower) triangle of the last two axes from
 * diagonal k, zeroing the rest (causal masks). No FLOPs; reads and writes
 * the tensor. Folds constant inputs.
 */
export const Trilu = defineOp({
  op: 'Trilu',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads and writes the tensor',
  attrs: (raw) => ({ upper: intAttr(raw, 'upper', 1) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'input');
    if (x.shape.length < 2) throw shapeError(`Trilu input must have rank ≥ 2, got [${x.shape}]`);
    const k = inputs[1] ? constValue(inputs[1], 'Trilu k')[0] ?? 0 : 0;
    const [rows, cols] = x.shape.slice(-2) as [number, number];
    const value = x.value?.map((v, i) => {
      const col = i % cols, row = Math.floor(i / cols) % rows;
      const keep = a.upper ? col - row >= k : col - row <= k;
      return keep ? v : 0;
    });
    return [withValue([...x.shape], x.dtype, value)];
  },
  counts: () => ({ macs: 0, otherFlops: 0 }),
});
