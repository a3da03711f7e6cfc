import { constValue, defineOp, intsAttr, req, shapeError } from '../op.js';
import { normAxis } from '../shape.js';

/** CenterCropPad: crops or pads the given axes about their centre to `shape`. No FLOPs; reads and writes the result. */
export const CenterCropPad = defineOp({
  op: 'CenterCropPad',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads and writes the result',
  attrs: (raw) => ({ axes: intsAttr(raw, 'axes', []) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'input_data');
    const sizes = constValue(inputs[1], 'CenterCropPad shape');
    const axes = a.axes.length ? a.axes.map((ax) => normAxis(ax, x.shape.length, 'CenterCropPad axis')) : x.shape.map((_, i) => i);
    if (sizes.length !== axes.length || sizes.some((d) => d < 0)) throw shapeError(`CenterCropPad shape [${sizes}] does not fit axes [${axes}]`);
    const shape = [...x.shape];
    axes.forEach((ax, i) => (shape[ax] = sizes[i]!));
    return [{ shape, dtype: x.dtype }];
  },
  counts: () => ({ macs: 0, otherFlops: 0 }),
});
