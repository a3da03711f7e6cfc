import { numel, type TensorType } from '../graph.js';
import { constValue, defineOp, enumAttr, intAttr, intsAttr, req, shapeError } from '../op.js';
import { foldable, normAxis, normIndex, stridesOf } from '../shape.js';
import { bytesFor } from '../dtype.js';

/**
 * Data-movement ops that copy: Transpose, Concat, Split, Slice, Pad, Gather.
 * No FLOPs; bytes are what is read and written (Gather reads only the
 * gathered slices). Constant values are folded when small.
 */

/** Values of `x` at row-major source offsets computed for each output position. */
export function pick(x: TensorType, outShape: number[], sourceOffset: (coord: number[]) => number): number[] | undefined {
  if (!x.value || !foldable(outShape)) return undefined;
  const n = numel(outShape);
  const out = new Array<number>(n);
  const coord = new Array<number>(outShape.length).fill(0);
  for (let k = 0; k < n; k++) {
    out[k] = x.value[sourceOffset(coord)]!;
    for (let i = outShape.length - 1; i >= 0; i--) {
      if (++coord[i]! < outShape[i]!) break;
      coord[i] = 0;
    }
  }
  return out;
}

export function withValue(shape: number[], dtype: TensorType['dtype'], value: number[] | undefined): TensorType {
  return value ? { shape, dtype, value } : { shape, dtype };
}

export const Transpose = defineOp({
  op: 'Transpose',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads and writes the tensor',
  attrs: (raw) => ({ perm: intsAttr(raw, 'perm', []) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'data');
    const r = x.shape.length;
    const perm = a.perm.length ? a.perm.map((p) => normAxis(p, r, 'Transpose perm')) : x.shape.map((_, i) => r - 1 - i);
    if (perm.length !== r || new Set(perm).size !== r) throw shapeError(`Transpose perm [${a.perm}] is not a permutation of ${r} axes`);
    const shape = perm.map((p) => x.shape[p]!);
    const st = stridesOf(x.shape);
    return [withValue(shape, x.dtype, pick(x, shape, (c) => c.reduce((s, ci, i) => s + ci * st[perm[i]!]!, 0)))];
  },
  counts: () => ({ macs: 0, otherFlops: 0 }),
});

export const Concat = defineOp({
  op: 'Concat',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads the inputs and writes the output',
  attrs: (raw) => ({ axis: intAttr(raw, 'axis') }),
  infer(inputs, a) {
    const xs = inputs.filter((t): t is TensorType => !!t);
    if (!xs.length) throw shapeError('Concat needs at least one input');
    const r = xs[0]!.shape.length;
    const axis = normAxis(a.axis, r, 'Concat axis');
    for (const t of xs) {
      if (t.shape.length !== r || t.shape.some((d, i) => i !== axis && d !== xs[0]!.shape[i])) {
        throw shapeError(`Concat inputs [${xs[0]!.shape}] and [${t.shape}] differ outside axis ${axis}`);
      }
    }
    const shape = [...xs[0]!.shape];
    shape[axis] = xs.reduce((s, t) => s + t.shape[axis]!, 0);
    let value: number[] | undefined;
    if (xs.every((t) => t.value) && foldable(shape)) {
      const outer = numel(shape.slice(0, axis));
      value = [];
      for (let o = 0; o < outer; o++) {
        for (const t of xs) {
          const chunk = numel(t.shape.slice(axis));
          for (let j = 0; j < chunk; j++) value.push(t.value![o * chunk + j]!);
        }
      }
    }
    return [withValue(shape, xs[0]!.dtype, value)];
  },
  counts: () => ({ macs: 0, otherFlops: 0 }),
});

/**
 * Split (ONNX ≥ 18): sizes as the optional input `split`, otherwise
 * `num_outputs` near-equal parts (the last one smaller).
 */
export const Split = defineOp({
  op: 'Split',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads the input and writes the parts',
  attrs: (raw) => ({ axis: intAttr(raw, 'axis', 0), num_outputs: intAttr(raw, 'num_outputs') }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'input');
    const axis = normAxis(a.axis, x.shape.length, 'Split axis');
    const len = x.shape[axis]!;
    let sizes: number[];
    if (inputs[1]) {
      sizes = constValue(inputs[1], 'Split sizes');
      if (sizes.length !== a.num_outputs) throw shapeError(`Split has ${sizes.length} sizes for ${a.num_outputs} outputs`);
      if (sizes.reduce((s, v) => s + v, 0) !== len) throw shapeError(`Split sizes [${sizes}] do not add up to ${len}`);
    } else {
      // checked before the parts are listed: a count from a file could be 2^32
      if (!(a.num_outputs >= 1 && a.num_outputs <= Math.max(len, 1))) throw shapeError(`Split num_outputs ${a.num_outputs} is not between 1 and the split axis' length ${len}`);
      const part = Math.ceil(len / a.num_outputs);
      sizes = Array.from({ length: a.num_outputs }, (_, i) => Math.max(0, Math.min(part, len - i * part)));
    }
    let start = 0;
    return sizes.map((sz) => {
      const shape = [...x.shape];
      shape[axis] = sz;
      const from = start;
      start += sz;
      const st = stridesOf(x.shape);
      return withValue(shape, x.dtype, pick(x, shape, (c) => c.reduce((s, ci, i) => s + (i === axis ? ci + from : ci) * st[i]!, 0)));
    });
  },
  counts: () => ({ macs: 0, otherFlops: 0 }),
});

/** Resolved begin/step/length per axis of an ONNX Slice (with its clamping rules). */
export function sliceRanges(shape: readonly number[], starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined) {
  const r = shape.length;
  const begin = shape.map(() => 0);
  const step = shape.map(() => 1);
  const count = [...shape];
  const ax = axes ?? starts.map((_, i) => i);
  if (ends.length !== starts.length || ax.length !== starts.length || (steps && steps.length !== starts.length)) {
    throw shapeError('Slice starts, ends, axes and steps must have the same length');
  }
  ax.forEach((axRaw, i) => {
    const axis = normAxis(axRaw, r, 'Slice axis');
    const d = shape[axis]!;
    const s = steps?.[i] ?? 1;
    if (s === 0) throw shapeError('Slice step must not be 0');
    let b = starts[i]!, e = ends[i]!;
    if (b < 0) b += d;
    if (e < 0) e += d;
    if (s > 0) {
      b = Math.min(Math.max(b, 0), d);
      e = Math.min(Math.max(e, 0), d);
      count[axis] = Math.max(0, Math.ceil((e - b) / s));
    } else {
      b = Math.min(Math.max(b, -1), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
      count[axis] = Math.max(0, Math.ceil((e - b) / s));
    }
    begin[axis] = b;
    step[axis] = s;
  });
  return { begin, step, count };
}

/** Slice (ONNX ≥ 10): starts, ends, axes, steps as inputs. */
export const Slice = defineOp({
  op: 'Slice',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads and writes the slice',
  attrs: () => ({}),
  infer(inputs) {
    const x = req(inputs, 0, 'data');
    const { begin, step, count } = sliceRanges(
      x.shape,
      constValue(inputs[1], 'Slice starts'),
      constValue(inputs[2], 'Slice ends'),
      inputs[3] ? constValue(inputs[3], 'Slice axes') : undefined,
      inputs[4] ? constValue(inputs[4], 'Slice steps') : undefined,
    );
    const st = stridesOf(x.shape);
    return [withValue(count, x.dtype, pick(x, count, (c) => c.reduce((s, ci, i) => s + (begin[i]! + ci * step[i]!) * st[i]!, 0)))];
  },
  counts(inputs, outputs) {
    const x = req(inputs, 0, 'data');
    return { macs: 0, otherFlops: 0, bytesRead: inputs.map((t, i) => (i === 0 ? bytesFor(numel(outputs[0]!.shape), x.dtype) : t ? bytesFor(numel(t.shape), t.dtype) : 0)) };
  },
});

/** Pad (ONNX ≥ 18): pads (begins then ends, may be negative), constant_value and axes as inputs. */
export const Pad = defineOp({
  op: 'Pad',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads the input and writes the padded output',
  attrs: (raw) => ({ mode: enumAttr(raw, 'mode', ['constant', 'reflect', 'edge', 'wrap'], 'constant') }),
  infer(inputs) {
    const x = req(inputs, 0, 'data');
    const r = x.shape.length;
    const pads = constValue(inputs[1], 'Pad pads');
    const axes = inputs[3] ? constValue(inputs[3], 'Pad axes').map((a) => normAxis(a, r, 'Pad axis')) : x.shape.map((_, i) => i);
    if (pads.length !== 2 * axes.length) throw shapeError(`Pad has ${pads.length} pads for ${axes.length} axes (needs begins and ends)`);
    const shape = [...x.shape];
    axes.forEach((ax, i) => {
      shape[ax] = shape[ax]! + pads[i]! + pads[i + axes.length]!;
      if (shape[ax]! < 0) throw shapeError(`Pad makes axis ${ax} negative`);
    });
    return [{ shape, dtype: x.dtype }];
  },
  counts: () => ({ macs: 0, otherFlops: 0 }),
});

/** Gather along `axis`: output = data.shape[:axis] + indices.shape + data.shape[axis+1:]. Reads only the gathered slices. */
export const Gather = defineOp({
  op: 'Gather',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads the indices and the gathered slices',
  attrs: (raw) => ({ axis: intAttr(raw, 'axis', 0) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'data');
    const idx = req(inputs, 1, 'indices');
    const axis = normAxis(a.axis, x.shape.length, 'Gather axis');
    const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
    const d = x.shape[axis]!;
    const rows = idx.value?.map((i) => normIndex(i, d, 'Gather index'));
    let value: number[] | undefined;
    if (x.value && rows && foldable(shape)) {
      const inner = numel(x.shape.slice(axis + 1));
      const outer = numel(x.shape.slice(0, axis));
      value = [];
      for (let o = 0; o < outer; o++) {
        for (const i of rows) {
          for (let j = 0; j < inner; j++) value.push(x.value[(o * d + i) * inner + j]!);
        }
      }
    }
    return [withValue(shape, x.dtype, value)];
  },
  counts(inputs, outputs) {
    const x = req(inputs, 0, 'data'), idx = req(inputs, 1, 'indices');
    return { macs: 0, otherFlops: 0, bytesRead: [bytesFor(numel(outputs[0]!.shape), x.dtype), bytesFor(numel(idx.shape), idx.dtype)] };
  },
});
