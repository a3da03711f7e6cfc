import { defineOp, intAttr, req, shapeError } from '../op.js';

/** ReverseSequence: reverses each batch entry's first sequence_lens steps. No FLOPs; reads and writes the tensor. */
export const ReverseSequence = defineOp({
  op: 'ReverseSequence',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads and writes the tensor',
  attrs: (raw) => ({ batch_axis: intAttr(raw, 'batch_axis', 1), time_axis: intAttr(raw, 'time_axis', 0) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'input');
    const lens = req(inputs, 1, 'sequence_lens');
    if (x.shape.length < 2 || lens.shape.length !== 1 || lens.shape[0] !== x.shape[a.batch_axis]) throw shapeError(`ReverseSequence sequence_lens [${lens.shape}] must have one entry per batch entry of [${x.shape}]`);
    return [{ shape: [...x.shape], dtype: x.dtype }];
  },
  counts: () => ({ macs: 0, otherFlops: 0 }),
});
