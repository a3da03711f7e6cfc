import { numel } from '../graph.js';
import { constValue, defineOp, enumAttr, expectRank, floatAttr, intAttr, intsAttr, req, shapeError, stringAttr } from '../op.js';

/**
 * Ops that sample an image at computed positions: GridSample, AffineGrid,
 * RoiAlign, MaxRoiPool. FLOP convention per output element, r = spatial
 * rank: GridSample 2r to map the coordinates plus the interpolation of
 * Resize (nearest 0, linear 2^(r+1) − 1, cubic 2·4^r − 1); AffineGrid
 * 2r(r + 1) (a small matrix-vector product); RoiAlign 8·s² for s² bilinear
 * samples (s = sampling_ratio, 2 when adaptive); MaxRoiPool 1 per pooled
 * input element.
 */
function interpolationFlops(mode: string, r: number): number {
  if (mode === 'nearest') return 0;
  return mode === 'linear' || mode === 'bilinear' ? 2 ** (r + 1) - 1 : 2 * 4 ** r - 1;
}

export const GridSample = defineOp({
  op: 'GridSample',
  opClass: 'data-movement',
  flopConvention: 'per output element: 2·r coordinate FLOPs + interpolation (nearest 0, linear 2^(r+1) − 1, cubic 2·4^r − 1)',
  attrs: (raw) => ({ mode: stringAttr(raw, 'mode', 'linear'), padding_mode: stringAttr(raw, 'padding_mode', 'zeros'), align_corners: intAttr(raw, 'align_corners', 0) }),
  infer(inputs) {
    const x = req(inputs, 0, 'X'), grid = req(inputs, 1, 'grid');
    const r = x.shape.length - 2;
    if (r < 1 || grid.shape.length !== r + 2 || grid.shape[0] !== x.shape[0] || grid.shape[r + 1] !== r) {
      throw shapeError(`GridSample grid [${grid.shape}] does not fit input [${x.shape}] (needs [N, out…, ${r}])`);
    }
    return [{ shape: [x.shape[0]!, x.shape[1]!, ...grid.shape.slice(1, r + 1)], dtype: x.dtype }];
  },
  counts(inputs, outputs, a) {
    const r = req(inputs, 0, 'X').shape.length - 2;
    return { macs: 0, otherFlops: (2 * r + interpolationFlops(a.mode, r)) * numel(outputs[0]!.shape) };
  },
});

export const AffineGrid = defineOp({
  op: 'AffineGrid',
  opClass: 'other',
  flopConvention: '2r(r + 1) FLOPs per grid point',
  attrs: (raw) => ({ align_corners: intAttr(raw, 'align_corners', 0) }),
  infer(inputs) {
    const theta = req(inputs, 0, 'theta');
    const size = constValue(inputs[1], 'AffineGrid size');
    const r = size.length - 2;
    if ((r !== 2 && r !== 3) || theta.shape.join() !== [size[0], r, r + 1].join()) throw shapeError(`AffineGrid theta [${theta.shape}] does not match size [${size}]`);
    return [{ shape: [size[0]!, ...size.slice(2), r], dtype: theta.dtype }];
  },
  counts(_i, outputs) {
    const s = outputs[0]!.shape;
    const r = s[s.length - 1]!;
    return { macs: 0, otherFlops: 2 * (r + 1) * numel(s) };
  },
});

export const RoiAlign = defineOp({
  op: 'RoiAlign',
  opClass: 'pooling',
  flopConvention: '8·s² FLOPs per output element (s = sampling_ratio, 2 when adaptive)',
  attrs: (raw) => ({
    output_height: intAttr(raw, 'output_height', 1),
    output_width: intAttr(raw, 'output_width', 1),
    sampling_ratio: intAttr(raw, 'sampling_ratio', 0),
    spatial_scale: floatAttr(raw, 'spatial_scale', 1),
    mode: enumAttr(raw, 'mode', ['avg', 'max'], 'avg'),
    coordinate_transformation_mode: stringAttr(raw, 'coordinate_transformation_mode', 'half_pixel'),
  }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'X'), rois = req(inputs, 1, 'rois');
    expectRank(x, 4, 'RoiAlign X');
    if (rois.shape.length !== 2 || rois.shape[1] !== 4) throw shapeError(`RoiAlign rois must be [num_rois, 4], got [${rois.shape}]`);
    return [{ shape: [rois.shape[0]!, x.shape[1]!, a.output_height, a.output_width], dtype: x.dtype }];
  },
  counts: (_i, outputs, a) => ({ macs: 0, otherFlops: 8 * (a.sampling_ratio || 2) ** 2 * numel(outputs[0]!.shape) }),
});

export const MaxRoiPool = defineOp({
  op: 'MaxRoiPool',
  opClass: 'pooling',
  flopConvention: '1 FLOP per pooled input element (estimated as the input plane per region)',
  attrs: (raw) => ({ pooled_shape: intsAttr(raw, 'pooled_shape'), spatial_scale: floatAttr(raw, 'spatial_scale', 1) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'X'), rois = req(inputs, 1, 'rois');
    expectRank(x, 4, 'MaxRoiPool X');
    if (rois.shape.length !== 2 || rois.shape[1] !== 5 || a.pooled_shape.length !== 2) throw shapeError(`MaxRoiPool rois must be [num_rois, 5] and pooled_shape two sizes`);
    return [{ shape: [rois.shape[0]!, x.shape[1]!, a.pooled_shape[0]!, a.pooled_shape[1]!], dtype: x.dtype }];
  },
  counts: (inputs) => {
    const x = req(inputs, 0, 'X'), rois = req(inputs, 1, 'rois');
    return { macs: 0, otherFlops: rois.shape[0]! * numel(x.shape.slice(1)) };
  },
});
