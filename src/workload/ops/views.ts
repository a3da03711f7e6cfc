import { numel, type TensorType } from '../graph.js';
import { constValue, defineOp, intAttr, req, shapeError, type OpCounts } from '../op.js';
import { normAxis } from '../shape.js';

/**
 * View ops change only the shape, not the data: Reshape, Flatten, Squeeze,
 * Unsqueeze. They cost no FLOPs and move no bytes. Constant values pass
 * through (shape arithmetic in exported graphs relies on it).
 */
const VIEW_COUNTS = (inputs: (TensorType | undefined)[]): OpCounts => ({ macs: 0, otherFlops: 0, bytesRead: inputs.map(() => 0), bytesWritten: 0 });

function view(x: TensorType, shape: number[]): TensorType {
  if (numel(shape) !== numel(x.shape)) throw shapeError(`cannot view [${x.shape}] (${numel(x.shape)} elements) as [${shape}]`);
  return x.value ? { shape, dtype: x.dtype, value: x.value } : { shape, dtype: x.dtype };
}

/** Reshape (ONNX ≥ 14): 0 copies the input dimension (unless allowzero), −1 is inferred. */
export function reshapeTarget(inShape: readonly number[], target: readonly number[], allowzero: boolean): number[] {
  const out = target.map((d, i) => {
    if (d === 0 && !allowzero) {
      if (i >= inShape.length) throw shapeError(`Reshape target [${target}] copies dimension ${i}, which the input [${inShape}] lacks`);
      return inShape[i]!;
    }
    return d;
  });
  const unknown = out.filter((d) => d === -1).length;
  if (unknown > 1) throw shapeError(`Reshape target [${target}] has more than one −1`);
  if (out.some((d) => d < -1)) throw shapeError(`Reshape target [${target}] has a negative dimension`);
  if (unknown === 1) {
    const known = out.reduce((p, d) => (d === -1 ? p : p * d), 1);
    const total = numel(inShape);
    if (known === 0 || total % known !== 0) throw shapeError(`cannot reshape [${inShape}] to [${target}]`);
    out[out.indexOf(-1)] = total / known;
  }
  return out;
}

export const Reshape = defineOp({
  op: 'Reshape',
  opClass: 'data-movement',
  flopConvention: 'a view: no FLOPs, no bytes',
  attrs: (raw) => ({ allowzero: intAttr(raw, 'allowzero', 0) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'data');
    const target = constValue(inputs[1], 'Reshape shape');
    return [view(x, reshapeTarget(x.shape, target, a.allowzero === 1))];
  },
  counts: VIEW_COUNTS,
});

export const Flatten = defineOp({
  op: 'Flatten',
  opClass: 'data-movement',
  flopConvention: 'a view: no FLOPs, no bytes',
  attrs: (raw) => ({ axis: intAttr(raw, 'axis', 1) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'input');
    const r = x.shape.length;
    const axis = a.axis < 0 ? a.axis + r : a.axis;
    if (axis < 0 || axis > r) throw shapeError(`Flatten axis ${a.axis} is out of range for rank ${r}`);
    return [view(x, [numel(x.shape.slice(0, axis)), numel(x.shape.slice(axis))])];
  },
  counts: VIEW_COUNTS,
});

/** Squeeze (ONNX ≥ 13): axes as an optional input; without it every dimension of size 1 goes. */
export const Squeeze = defineOp({
  op: 'Squeeze',
  opClass: 'data-movement',
  flopConvention: 'a view: no FLOPs, no bytes',
  attrs: () => ({}),
  infer(inputs) {
    const x = req(inputs, 0, 'data');
    const r = x.shape.length;
    const axes = inputs[1] ? constValue(inputs[1], 'Squeeze axes').map((ax) => normAxis(ax, r, 'Squeeze axis')) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
    for (const ax of axes) if (x.shape[ax] !== 1) throw shapeError(`Squeeze axis ${ax} has size ${x.shape[ax]}, not 1`);
    return [view(x, x.shape.filter((_, i) => !axes.includes(i)))];
  },
  counts: VIEW_COUNTS,
});

/** Unsqueeze (ONNX ≥ 13): axes (an input) index the output. */
export const Unsqueeze = defineOp({
  op: 'Unsqueeze',
  opClass: 'data-movement',
  flopConvention: 'a view: no FLOPs, no bytes',
  attrs: () => ({}),
  infer(inputs) {
    const x = req(inputs, 0, 'data');
    const raw = constValue(inputs[1], 'Unsqueeze axes');
    const r = x.shape.length + raw.length;
    const axes = raw.map((ax) => normAxis(ax, r, 'Unsqueeze axis'));
    if (new Set(axes).size !== axes.length) throw shapeError(`Unsqueeze axes [${raw}] repeat`);
    const shape: number[] = [];
    let j = 0;
    for (let i = 0; i < r; i++) shape.push(axes.includes(i) ? 1 : x.shape[j++]!);
    return [view(x, shape)];
  },
  counts: VIEW_COUNTS,
});
