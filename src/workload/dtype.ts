import { AccelmapError } from '../util/errors.js';

/**
 * Element types. Names follow ONNX's TensorProto.DataType in lower case
 * (including the 2-bit `int2` and `uint2` of accelerator modes).
 */
export const DTYPE_BITS = {
  float64: 64,
  float32: 32,
  float16: 16,
  bfloat16: 16,
  float8e4m3fn: 8,
  float8e4m3fnuz: 8,
  float8e5m2: 8,
  float8e5m2fnuz: 8,
  float8e8m0: 8,
  float4e2m1: 4,
  int64: 64,
  int32: 32,
  int16: 16,
  int8: 8,
  int4: 4,
  int2: 2,
  uint64: 64,
  uint32: 32,
  uint16: 16,
  uint8: 8,
  uint4: 4,
  uint2: 2,
  bool: 8,
  string: 64,
  complex64: 64,
  complex128: 128,
} as const;

export type DType = keyof typeof DTYPE_BITS;

export const DTYPES = Object.keys(DTYPE_BITS) as DType[];

export function isDType(name: string): name is DType {
  return Object.hasOwn(DTYPE_BITS, name);
}

export function parseDType(name: string, where = 'dtype'): DType {
  const n = name.toLowerCase();
  const alias: Record<string, DType> = { fp32: 'float32', fp16: 'float16', bf16: 'bfloat16', fp8: 'float8e4m3fn', float8: 'float8e4m3fn', fp64: 'float64', double: 'float64', float: 'float32', half: 'float16' };
  const d = alias[n] ?? n;
  if (!isDType(d)) throw new AccelmapError('bad-input', `unknown element type '${name}'`, { path: where }, `use one of ${DTYPES.join(', ')}`);
  return d;
}

export function dtypeBits(d: DType): number {
  return DTYPE_BITS[d];
}

export function isFloat(d: DType): boolean {
  return d.startsWith('float') || d === 'bfloat16';
}

export function isInteger(d: DType): boolean {
  return d.startsWith('int') || d.startsWith('uint');
}

/** Bytes of a tensor of `elements` elements; sub-byte types are packed. */
export function bytesFor(elements: number, d: DType): number {
  return Math.ceil((elements * DTYPE_BITS[d]) / 8);
}
