import { bytesFor } from '../dtype.js';
import { numel, type TensorType } from '../graph.js';
import { defineOp, enumAttr, expectRank, intAttr, req, shapeError } from '../op.js';
import { normAxis, normIndex, stridesOf } from '../shape.js';
import { pick, withValue } from './movement.js';

/**
 * Indexed reads and writes: GatherElements, GatherND (read the indexed
 * elements: bytes = output + indices), ScatterElements, ScatterND (copy the
 * data and write the updates; 1 FLOP per update element when a reduction
 * combines them) and TensorScatter (writes updates into a cache in place).
 */
const READ_INDEXED = (inputs: (TensorType | undefined)[], outputs: TensorType[]) => {
  const data = req(inputs, 0, 'data'), idx = req(inputs, 1, 'indices');
  return { macs: 0, otherFlops: 0, bytesRead: [bytesFor(numel(outputs[0]!.shape), data.dtype), bytesFor(numel(idx.shape), idx.dtype)] };
};

export const GatherElements = defineOp({
  op: 'GatherElements',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads the indices and the gathered elements',
  attrs: (raw) => ({ axis: intAttr(raw, 'axis', 0) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'data'), idx = req(inputs, 1, 'indices');
    const axis = normAxis(a.axis, x.shape.length, 'GatherElements axis');
    if (idx.shape.length !== x.shape.length) throw shapeError(`GatherElements indices [${idx.shape}] must have the rank of data [${x.shape}]`);
    const st = stridesOf(x.shape);
    const ist = stridesOf(idx.shape);
    const value = idx.value ? pick(x, idx.shape, (c) => c.reduce((s, ci, i) => s + (i === axis ? normIndex(idx.value![c.reduce((o, cj, j) => o + cj * ist[j]!, 0)]!, x.shape[axis]!) : ci) * st[i]!, 0)) : undefined;
    return [withValue([...idx.shape], x.dtype, value)];
  },
  counts: READ_INDEXED,
});

export const GatherND = defineOp({
  op: 'GatherND',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads the indices and the gathered slices',
  attrs: (raw) => ({ batch_dims: intAttr(raw, 'batch_dims', 0) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'data'), idx = req(inputs, 1, 'indices');
    const b = a.batch_dims;
    if (idx.shape.length < 1) throw shapeError('GatherND indices must have rank ≥ 1');
    const k = idx.shape[idx.shape.length - 1]!;
    if (b < 0 || b >= Math.min(x.shape.length, idx.shape.length) || k > x.shape.length - b) throw shapeError(`GatherND indices [${idx.shape}] with batch_dims ${b} do not fit data [${x.shape}]`);
    const shape = [...idx.shape.slice(0, -1), ...x.shape.slice(b + k)];
    let value: number[] | undefined;
    if (x.value && idx.value && b === 0) {
      const st = stridesOf(x.shape);
      const inner = numel(x.shape.slice(k));
      value = [];
      for (let t = 0; t < idx.value.length / Math.max(k, 1) && value.length < numel(shape); t++) {
        let base = 0;
        for (let j = 0; j < k; j++) base += normIndex(idx.value[t * k + j]!, x.shape[j]!) * st[j]!;
        for (let e = 0; e < inner; e++) value.push(x.value[base + e]!);
      }
      if (value.length !== numel(shape)) value = undefined;
    }
    return [withValue(shape, x.dtype, value)];
  },
  counts: READ_INDEXED,
});

function scatterCounts(inputs: (TensorType | undefined)[], _o: TensorType[], a: { reduction: string }) {
  const updates = req(inputs, 2, 'updates');
  return { macs: 0, otherFlops: a.reduction === 'none' ? 0 : numel(updates.shape) };
}

const REDUCTIONS = ['none', 'add', 'mul', 'max', 'min'] as const;

export const ScatterElements = defineOp({
  op: 'ScatterElements',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs (1 per update element with a reduction); copies data and writes updates',
  attrs: (raw) => ({ axis: intAttr(raw, 'axis', 0), reduction: enumAttr(raw, 'reduction', REDUCTIONS, 'none') }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'data'), idx = req(inputs, 1, 'indices'), upd = req(inputs, 2, 'updates');
    normAxis(a.axis, x.shape.length, 'ScatterElements axis');
    if (idx.shape.join() !== upd.shape.join() || idx.shape.length !== x.shape.length) throw shapeError(`ScatterElements indices [${idx.shape}] and updates [${upd.shape}] must have the same shape and the rank of data [${x.shape}]`);
    return [{ shape: [...x.shape], dtype: x.dtype }];
  },
  counts: (inputs, outputs, a) => scatterCounts(inputs, outputs, a),
});

export const ScatterND = defineOp({
  op: 'ScatterND',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs (1 per update element with a reduction); copies data and writes updates',
  attrs: (raw) => ({ reduction: enumAttr(raw, 'reduction', REDUCTIONS, 'none') }),
  infer(inputs) {
    const x = req(inputs, 0, 'data'), idx = req(inputs, 1, 'indices'), upd = req(inputs, 2, 'updates');
    const k = idx.shape[idx.shape.length - 1] ?? 0;
    const expected = [...idx.shape.slice(0, -1), ...x.shape.slice(k)];
    if (k > x.shape.length || upd.shape.join() !== expected.join() || upd.shape.length !== expected.length) throw shapeError(`ScatterND updates must have shape [${expected}], got [${upd.shape}]`);
    return [{ shape: [...x.shape], dtype: x.dtype }];
  },
  counts: scatterCounts,
});

/** TensorScatter (ONNX 24): writes `update` [batch, …, seq, …] into `past_cache` along `axis` (a KV-cache update); the output has the cache's shape. */
export const TensorScatter = defineOp({
  op: 'TensorScatter',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads and writes the updates (the cache is updated in place)',
  attrs: (raw) => ({ axis: intAttr(raw, 'axis', -2), mode: enumAttr(raw, 'mode', ['linear', 'circular'], 'linear') }),
  infer(inputs, a) {
    const cache = req(inputs, 0, 'past_cache'), upd = req(inputs, 1, 'update');
    const axis = normAxis(a.axis, cache.shape.length, 'TensorScatter axis');
    if (axis === 0) throw shapeError('TensorScatter axis must not be the batch axis');
    expectRank(upd, cache.shape.length, 'TensorScatter update');
    if (upd.shape.some((d, i) => i !== axis && d !== cache.shape[i])) throw shapeError(`TensorScatter update [${upd.shape}] differs from the cache [${cache.shape}] outside axis ${axis}`);
    return [{ shape: [...cache.shape], dtype: cache.dtype }];
  },
  counts: (inputs) => {
    const upd = req(inputs, 1, 'update');
    const bytes = bytesFor(numel(upd.shape), upd.dtype);
    return { macs: 0, otherFlops: 0, bytesRead: inputs.map((t, i) => (i === 0 || !t ? 0 : bytesFor(numel(t.shape), t.dtype))), bytesWritten: bytes };
  },
});
