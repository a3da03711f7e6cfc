import { AccelmapError } from '../util/errors.js';
import type { DType } from '../workload/dtype.js';
import { numel, type TensorType } from '../workload/graph.js';

/**
 * A tensor's values while a graph runs: a shape, an element type and a typed
 * array holding the elements row-major. Floats compute in fp32 (float16 and
 * bfloat16 are held widened to fp32, float64 as fp64); integers are held in
 * the typed array of their width, so integer kernels with explicit scales and
 * rounding see exact values; int64/uint64 live in a Float64Array (exact
 * within ±2^53, which holds every shape, index and count a model uses).
 */
export type Data = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

export interface Value {
  shape: number[];
  dtype: DType;
  data: Data;
}

type DataConstructor = new (n: number) => Data;

const STORAGE: Partial<Record<DType, DataConstructor>> = {
  float32: Float32Array,
  float16: Float32Array,
  bfloat16: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: Float64Array,
  uint64: Float64Array,
  bool: Uint8Array,
};

/** Whether the executor can hold values of this element type. */
export function canHold(dtype: DType): boolean {
  return STORAGE[dtype] !== undefined;
}

function storage(dtype: DType): DataConstructor {
  const c = STORAGE[dtype];
  if (!c) throw new AccelmapError('unsupported', `the executor does not compute with ${dtype} tensors`, {}, `supported element types: ${Object.keys(STORAGE).join(', ')}`);
  return c;
}

/** A zero-filled value of the given shape and type. */
export function alloc(shape: readonly number[], dtype: DType): Value {
  return { shape: [...shape], dtype, data: new (storage(dtype))(numel(shape)) };
}

/** A value with the given elements (row-major). */
export function fromNumbers(type: TensorType, values: ArrayLike<number>): Value {
  const v = alloc(type.shape, type.dtype);
  if (values.length !== v.data.length) throw new AccelmapError('shape', `${values.length} values for a tensor of shape [${type.shape}]`);
  v.data.set(values);
  return v;
}

/** The same elements seen under another shape (no copy). */
export function reshaped(v: Value, shape: readonly number[]): Value {
  return { shape: [...shape], dtype: v.dtype, data: v.data };
}

/** Converts a number to what storing it in `dtype` keeps (integers truncate toward zero and wrap; bool is 0/1). */
export function converter(dtype: DType): (x: number) => number {
  switch (dtype) {
    case 'bool': return (x) => (x ? 1 : 0);
    case 'bfloat16': return roundBfloat16;
    case 'float16': return roundFloat16;
    case 'int64': case 'uint64': return (x) => (Number.isFinite(x) ? Math.trunc(x) : 0);
    default: return (x) => x;
  }
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** Rounds to the nearest bfloat16 (ties to even), as a number. */
function roundBfloat16(x: number): number {
  F32[0] = x;
  if (Number.isNaN(x)) return x;
  const bits = U32[0]!;
  U32[0] = ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) << 16;
  return F32[0]!;
}

/** Rounds to the nearest float16 (ties to even; overflow to infinity), as a number. */
function roundFloat16(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  if (a >= 65520) return Math.sign(x) * Infinity;
  // spacing of float16 values around a: 2^(e − 10), subnormals 2^−24
  const e = Math.max(Math.floor(Math.log2(a)), -14);
  const step = 2 ** (e - 10);
  const q = a / step;
  let r = Math.round(q);
  if (Math.abs(q - Math.trunc(q) - 0.5) < 1e-12 && r % 2 === 1) r -= 1;
  return Math.sign(x) * r * step;
}
