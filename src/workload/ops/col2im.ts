import { numel } from '../graph.js';
import { constValue, defineOp, intsAttr, req, shapeError } from '../op.js';

/** Col2Im: sums sliding blocks [N, C·Πblock, L] back into an image [N, C, image…]; 1 FLOP per input element (an accumulation). */
export const Col2Im = defineOp({
  op: 'Col2Im',
  opClass: 'data-movement',
  flopConvention: '1 FLOP per input element',
  attrs: (raw) => ({ dilations: intsAttr(raw, 'dilations', []), pads: intsAttr(raw, 'pads', []), strides: intsAttr(raw, 'strides', []) }),
  infer(inputs) {
    const x = req(inputs, 0, 'input');
    const image = constValue(inputs[1], 'Col2Im image_shape');
    const block = constValue(inputs[2], 'Col2Im block_shape');
    const taps = numel(block);
    if (x.shape.length !== 3 || image.length !== block.length || taps === 0 || x.shape[1]! % taps !== 0) throw shapeError(`Col2Im input [${x.shape}] does not fit block [${block}]`);
    return [{ shape: [x.shape[0]!, x.shape[1]! / taps, ...image], dtype: x.dtype }];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: numel(req(inputs, 0, 'input').shape) }),
});
