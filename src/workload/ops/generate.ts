import { AccelmapError } from '../../util/errors.js';
import { isFloat, parseDType, type DType } from '../dtype.js';
import { numel, type Attrs, type TensorType } from '../graph.js';
import { constValue, defineOp, expectRank, floatAttr, intAttr, intsAttr, req, shapeError, stringAttr, type OpKind } from '../op.js';
import { foldable } from '../shape.js';

/**
 * Ops that create tensors: Range, ConstantOfShape, EyeLike and the random
 * generators. FLOP convention: Range 1 per element (an addition),
 * ConstantOfShape and EyeLike none, random generators 2 per element (a
 * generator step and a scale and shift). All write their output.
 */

function checkShape(shape: number[], op: string): number[] {
  if (shape.some((d) => d < 0 || !Number.isSafeInteger(d))) throw shapeError(`${op} shape [${shape}] has an invalid dimension`);
  if (!Number.isSafeInteger(numel(shape))) throw shapeError(`${op} shape [${shape}] has too many elements`);
  return shape;
}

function scalarValue(t: TensorType | undefined, what: string): number {
  const v = constValue(t, what);
  if (v.length !== 1) throw shapeError(`${what} must hold one value, got ${v.length}`);
  return v[0]!;
}

/** Range: ⌈(limit − start) / delta⌉ elements (at least 0) of the type of `start`. */
export const Range = defineOp({
  op: 'Range',
  opClass: 'other',
  flopConvention: '1 FLOP per element (an addition)',
  attrs: () => ({}),
  infer(inputs) {
    const start = scalarValue(inputs[0], 'Range start');
    const limit = scalarValue(inputs[1], 'Range limit');
    const delta = scalarValue(inputs[2], 'Range delta');
    if (delta === 0) throw shapeError('Range delta must not be 0');
    const n = Math.max(Math.ceil((limit - start) / delta), 0);
    if (!Number.isSafeInteger(n)) throw shapeError(`Range from ${start} to ${limit} by ${delta} has too many elements`);
    const dtype = req(inputs, 0, 'start').dtype;
    const out: TensorType = { shape: [n], dtype };
    if (foldable(out.shape)) out.value = Array.from({ length: n }, (_, i) => start + i * delta);
    return [out];
  },
  counts: (_i, outputs) => ({ macs: 0, otherFlops: numel(outputs[0]!.shape) }),
});

/** ConstantOfShape: a tensor of the given shape filled with `value` (one element; default float32 0). */
export const ConstantOfShape = defineOp({
  op: 'ConstantOfShape',
  opClass: 'other',
  flopConvention: 'no FLOPs; writes the output',
  attrs: (raw): Attrs => {
    const v = raw.value;
    if (v === undefined || v === null) return { value: { shape: [1], dtype: 'float32', value: [0] } };
    if (typeof v !== 'object' || Array.isArray(v)) throw new AccelmapError('bad-input', 'attribute value must be a tensor');
    if (numel(v.shape) !== 1) throw new AccelmapError('bad-input', `attribute value must hold one element, has shape [${v.shape}]`);
    return { value: v };
  },
  infer(inputs, a) {
    const shape = checkShape(constValue(inputs[0], 'ConstantOfShape shape'), 'ConstantOfShape');
    const fill = a.value as TensorType;
    const out: TensorType = { shape: [...shape], dtype: fill.dtype };
    if (fill.value && foldable(shape)) out.value = new Array<number>(numel(shape)).fill(fill.value[0]!);
    return [out];
  },
  counts: () => ({ macs: 0, otherFlops: 0 }),
});

function dtypeOr(a: Attrs, dflt: DType): DType {
  return typeof a.dtype === 'string' ? parseDType(a.dtype) : dflt;
}

/** EyeLike: ones on diagonal k of a 2-D tensor shaped like the input. */
export const EyeLike = defineOp({
  op: 'EyeLike',
  opClass: 'other',
  flopConvention: 'no FLOPs; writes the output',
  attrs: (raw): Attrs => ({ k: intAttr(raw, 'k', 0), dtype: raw.dtype === undefined ? null : stringAttr(raw, 'dtype') }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'input');
    expectRank(x, 2, 'EyeLike input');
    const [rows, cols] = x.shape as [number, number];
    const dtype = dtypeOr(a, x.dtype);
    const out: TensorType = { shape: [rows, cols], dtype };
    const k = a.k as number;
    if (foldable(out.shape)) out.value = Array.from({ length: rows * cols }, (_, i) => (i % cols === Math.floor(i / cols) + k ? 1 : 0));
    return [out];
  },
  counts: () => ({ macs: 0, otherFlops: 0 }),
});

type ShapeSource = 'attribute' | 'like' | 'multinomial';

function randomOp(op: string, source: ShapeSource): OpKind {
  return defineOp<Attrs>({
    op,
    opClass: 'other',
    flopConvention: '2 FLOPs per generated element',
    attrs(raw) {
      const a: Attrs = { seed: floatAttr(raw, 'seed', 0), dtype: raw.dtype === undefined ? null : stringAttr(raw, 'dtype') };
      if (source === 'attribute') a.shape = intsAttr(raw, 'shape');
      if (source === 'multinomial') a.sample_size = intAttr(raw, 'sample_size', 1);
      return a;
    },
    infer(inputs, a) {
      if (source === 'attribute') return [{ shape: checkShape([...(a.shape as number[])], op), dtype: dtypeOr(a, 'float32') }];
      const x = req(inputs, 0, 'input');
      if (source === 'multinomial') {
        expectRank(x, 2, `${op} input`);
        return [{ shape: [x.shape[0]!, a.sample_size as number], dtype: dtypeOr(a, 'int32') }];
      }
      const dtype = dtypeOr(a, x.dtype);
      if (!isFloat(dtype) && op !== 'Bernoulli') throw shapeError(`${op} produces floating-point values, not ${dtype}`);
      return [{ shape: [...x.shape], dtype }];
    },
    counts: (_i, outputs) => ({ macs: 0, otherFlops: 2 * numel(outputs[0]!.shape) }),
  });
}

export const RANDOM_OPS: OpKind[] = [
  randomOp('RandomNormal', 'attribute'),
  randomOp('RandomUniform', 'attribute'),
  randomOp('RandomNormalLike', 'like'),
  randomOp('RandomUniformLike', 'like'),
  randomOp('Bernoulli', 'like'),
  randomOp('Multinomial', 'multinomial'),
];
