import { AccelmapError } from '../../util/errors.js';
import { bytesFor } from '../dtype.js';
import { numel, type TensorType } from '../graph.js';
import { defineOp, intAttr, req, shapeError } from '../op.js';
import { foldable, normAxis } from '../shape.js';
import { withValue } from './movement.js';

/**
 * Ops whose output shape depends on input values: NonZero, Unique,
 * NonMaxSuppression, Compress. accelmap needs static shapes, so they are
 * supported only when those inputs are constants (folded at import); on
 * run-time data they are a clear error. FLOP convention: NonZero and
 * Compress 1 per input element (a test), Unique 1 per input element per
 * comparison pass (n·log2 n for the sort), NonMaxSuppression 10 per pair of
 * candidate boxes of a class (one IoU).
 */
function valuesOf(t: TensorType | undefined, op: string, what: string): number[] {
  if (!t) throw shapeError(`${op} is missing its ${what}`);
  if (!t.value) {
    throw new AccelmapError('unsupported', `${op}'s output shape depends on the values of its ${what}, which are known only at run time`, {}, 'accelmap needs static shapes: data-dependent ops are supported only on constant inputs');
  }
  return t.value;
}

export const NonZero = defineOp({
  op: 'NonZero',
  opClass: 'other',
  flopConvention: '1 FLOP per input element (a test)',
  attrs: () => ({}),
  infer(inputs) {
    const x = req(inputs, 0, 'X');
    const v = valuesOf(x, 'NonZero', 'input');
    const rank = x.shape.length;
    const hits: number[] = [];
    v.forEach((e, i) => e && hits.push(i));
    const shape = [rank, hits.length];
    const coords = hits.map((flat) => {
      const c = new Array<number>(rank);
      for (let i = rank - 1; i >= 0; i--) {
        c[i] = flat % x.shape[i]!;
        flat = Math.floor(flat / x.shape[i]!);
      }
      return c;
    });
    const value = foldable(shape) ? Array.from({ length: rank * hits.length }, (_, k) => coords[k % hits.length]![Math.floor(k / hits.length)]!) : undefined;
    return [withValue(shape, 'int64', value)];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: numel(req(inputs, 0, 'X').shape) }),
});

export const Compress = defineOp({
  op: 'Compress',
  opClass: 'data-movement',
  flopConvention: '1 FLOP per condition element (a test); reads and writes the kept slices',
  attrs: (raw) => ({ axis: raw.axis === undefined || raw.axis === null ? null : intAttr(raw, 'axis') }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'input');
    const cond = valuesOf(inputs[1], 'Compress', 'condition');
    const along = a.axis === null ? numel(x.shape) : x.shape[normAxis(a.axis, x.shape.length, 'Compress axis')]!;
    if (cond.length > along) throw shapeError(`Compress condition has ${cond.length} entries for ${along} slices`);
    const kept = cond.filter(Boolean).length;
    if (a.axis === null) return [{ shape: [kept], dtype: x.dtype }];
    const shape = [...x.shape];
    shape[normAxis(a.axis, x.shape.length)] = kept;
    return [{ shape, dtype: x.dtype }];
  },
  counts: (inputs, outputs) => {
    const x = req(inputs, 0, 'input');
    return { macs: 0, otherFlops: numel(req(inputs, 1, 'condition').shape), bytesRead: [bytesFor(numel(outputs[0]!.shape), x.dtype), bytesFor(numel(req(inputs, 1, 'condition').shape), 'bool')] };
  },
});

/** Unique (flattened, or whole slices along `axis`): Y, indices, inverse_indices, counts. */
export const Unique = defineOp({
  op: 'Unique',
  opClass: 'other',
  flopConvention: 'n·⌈log2 n⌉ FLOPs over n input elements (a sort)',
  attrs: (raw) => ({ axis: raw.axis === undefined || raw.axis === null ? null : intAttr(raw, 'axis'), sorted: intAttr(raw, 'sorted', 1) }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'X');
    const v = valuesOf(x, 'Unique', 'input');
    let slices: string[];
    let shape: number[];
    if (a.axis === null) {
      slices = v.map(String);
      shape = [];
    } else {
      const axis = normAxis(a.axis, x.shape.length, 'Unique axis');
      const d = x.shape[axis]!, inner = numel(x.shape.slice(axis + 1)), outer = numel(x.shape.slice(0, axis));
      slices = Array.from({ length: d }, (_, k) => {
        const parts: number[] = [];
        for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) parts.push(v[(o * d + k) * inner + i]!);
        return parts.join(',');
      });
      shape = [...x.shape];
      shape[axis] = new Set(slices).size;
    }
    const u = new Set(slices).size;
    const y = a.axis === null ? withValue([u], x.dtype, a.sorted ? [...new Set(v)].sort((p, q) => p - q) : [...new Set(v)]) : { shape, dtype: x.dtype };
    return [y, { shape: [u], dtype: 'int64' }, { shape: [slices.length], dtype: 'int64' }, { shape: [u], dtype: 'int64' }];
  },
  counts: (inputs) => {
    const n = numel(req(inputs, 0, 'X').shape);
    return { macs: 0, otherFlops: n * Math.ceil(Math.log2(Math.max(n, 2))) };
  },
});

interface Box {
  y1: number;
  x1: number;
  y2: number;
  x2: number;
}

function iou(a: Box, b: Box): number {
  const h = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const w = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const inter = h * w;
  const union = (a.y2 - a.y1) * (a.x2 - a.x1) + (b.y2 - b.y1) * (b.x2 - b.x1) - inter;
  return union > 0 ? inter / union : 0;
}

/** NonMaxSuppression: selected [num_selected, 3] (batch, class, box) by greedy IoU suppression per batch and class. */
export const NonMaxSuppression = defineOp({
  op: 'NonMaxSuppression',
  opClass: 'other',
  flopConvention: '10 FLOPs per pair of candidate boxes of a class (one IoU)',
  attrs: (raw) => ({ center_point_box: intAttr(raw, 'center_point_box', 0) }),
  infer(inputs, a) {
    const boxes = req(inputs, 0, 'boxes'), scores = req(inputs, 1, 'scores');
    if (boxes.shape.length !== 3 || boxes.shape[2] !== 4 || scores.shape.length !== 3 || scores.shape[0] !== boxes.shape[0] || scores.shape[2] !== boxes.shape[1]) {
      throw shapeError(`NonMaxSuppression boxes [${boxes.shape}] and scores [${scores.shape}] do not match`);
    }
    const bv = valuesOf(boxes, 'NonMaxSuppression', 'boxes');
    const sv = valuesOf(scores, 'NonMaxSuppression', 'scores');
    const maxOut = inputs[2] ? valuesOf(inputs[2], 'NonMaxSuppression', 'max_output_boxes_per_class')[0] ?? 0 : 0;
    const iouMax = inputs[3] ? valuesOf(inputs[3], 'NonMaxSuppression', 'iou_threshold')[0] ?? 0 : 0;
    const scoreMin = inputs[4] ? valuesOf(inputs[4], 'NonMaxSuppression', 'score_threshold')[0] : undefined;
    const [nb, nc, n] = scores.shape as [number, number, number];
    const box = (b: number, i: number): Box => {
      const [p, q, r, s] = bv.slice((b * n + i) * 4, (b * n + i) * 4 + 4) as [number, number, number, number];
      if (a.center_point_box) return { x1: p - r / 2, x2: p + r / 2, y1: q - s / 2, y2: q + s / 2 };
      return { y1: Math.min(p, r), y2: Math.max(p, r), x1: Math.min(q, s), x2: Math.max(q, s) };
    };
    const selected: number[] = [];
    for (let b = 0; b < nb; b++) {
      for (let c = 0; c < nc; c++) {
        const order = Array.from({ length: n }, (_, i) => i)
          .filter((i) => scoreMin === undefined || sv[(b * nc + c) * n + i]! > scoreMin)
          .sort((i, j) => sv[(b * nc + c) * n + j]! - sv[(b * nc + c) * n + i]! || i - j);
        const kept: number[] = [];
        for (const i of order) {
          if (kept.length >= maxOut) break;
          if (kept.every((k) => iou(box(b, i), box(b, k)) <= iouMax)) kept.push(i);
        }
        for (const k of kept) selected.push(b, c, k);
      }
    }
    return [withValue([selected.length / 3, 3], 'int64', foldable([selected.length]) ? selected : undefined)];
  },
  counts: (inputs) => {
    const s = req(inputs, 1, 'scores').shape;
    return { macs: 0, otherFlops: 10 * (s[0] ?? 1) * (s[1] ?? 1) * (s[2] ?? 1) ** 2 };
  },
});
