import { numel, type Attrs, type TensorType } from '../graph.js';
import { constValue, defineOp, enumAttr, floatAttr, intAttr, intsAttr, req, shapeError, stringAttr } from '../op.js';
import { normAxis } from '../shape.js';

/**
 * Resize (ONNX ≥ 19; the importer turns Upsample and Resize-10 into this
 * form): inputs X, roi, scales, sizes. With `sizes`, the resized axes get
 * those sizes (or, under keep_aspect_ratio_policy not_larger / not_smaller,
 * one common scale times the input, rounded); otherwise
 * floor(input · scale) in single precision, with the roi's extent for tf_crop_and_resize.
 * FLOP convention per output element, d = number of axes whose size changes:
 * nearest 0; linear 2^(d+1) − 1 (a weighted sum of 2^d neighbours);
 * cubic 2·4^d − 1.
 */
export const Resize = defineOp({
  op: 'Resize',
  opClass: 'data-movement',
  flopConvention: 'per output element: nearest 0, linear 2^(d+1) − 1, cubic 2·4^d − 1 (d = resized axes)',
  attrs: (raw: Attrs) => ({
    mode: enumAttr(raw, 'mode', ['nearest', 'linear', 'cubic'], 'nearest'),
    coordinate_transformation_mode: stringAttr(raw, 'coordinate_transformation_mode', 'half_pixel'),
    keep_aspect_ratio_policy: enumAttr(raw, 'keep_aspect_ratio_policy', ['stretch', 'not_larger', 'not_smaller'], 'stretch'),
    axes: intsAttr(raw, 'axes', []),
    antialias: intAttr(raw, 'antialias', 0),
    cubic_coeff_a: floatAttr(raw, 'cubic_coeff_a', -0.75),
    exclude_outside: intAttr(raw, 'exclude_outside', 0),
    extrapolation_value: floatAttr(raw, 'extrapolation_value', 0),
    nearest_mode: stringAttr(raw, 'nearest_mode', 'round_prefer_floor'),
  }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'X');
    const r = x.shape.length;
    const axes = a.axes.length ? a.axes.map((ax) => normAxis(ax, r, 'Resize axis')) : x.shape.map((_, i) => i);
    const present = (t: TensorType | undefined) => t && numel(t.shape) > 0;
    const shape = [...x.shape];
    if (present(inputs[3])) {
      const sizes = constValue(inputs[3], 'Resize sizes');
      if (sizes.length !== axes.length) throw shapeError(`Resize has ${sizes.length} sizes for ${axes.length} axes`);
      if (a.keep_aspect_ratio_policy === 'stretch') axes.forEach((ax, i) => (shape[ax] = sizes[i]!));
      else {
        const ratios = axes.map((ax, i) => sizes[i]! / x.shape[ax]!);
        const scale = a.keep_aspect_ratio_policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
        axes.forEach((ax) => (shape[ax] = Math.round(scale * x.shape[ax]!)));
      }
    } else if (present(inputs[2])) {
      const scales = constValue(inputs[2], 'Resize scales');
      if (scales.length !== axes.length) throw shapeError(`Resize has ${scales.length} scales for ${axes.length} axes`);
      const roi = a.coordinate_transformation_mode === 'tf_crop_and_resize' && present(inputs[1]) ? constValue(inputs[1], 'Resize roi') : undefined;
      axes.forEach((ax, i) => {
        // single-precision arithmetic, as ONNX computes it
        const extent = roi ? Math.fround(roi[i + axes.length]! - roi[i]!) : 1;
        shape[ax] = Math.floor(Math.fround(Math.fround(x.shape[ax]! * extent) * scales[i]!));
      });
    } else throw shapeError('Resize needs scales or sizes');
    if (shape.some((d) => !(d >= 0) || !Number.isSafeInteger(d))) throw shapeError(`Resize gives an invalid shape [${shape}]`);
    return [{ shape, dtype: x.dtype }];
  },
  counts(inputs, outputs, a) {
    const x = req(inputs, 0, 'X');
    const out = outputs[0]!.shape;
    const d = out.filter((v, i) => v !== x.shape[i]).length;
    const per = a.mode === 'nearest' ? 0 : a.mode === 'linear' ? 2 ** (d + 1) - 1 : 2 * 4 ** d - 1;
    return { macs: 0, otherFlops: per * numel(out) };
  },
});
