import { unzipSync, zipSync } from 'fflate';
import { extname } from 'node:path';
import { AccelmapError } from '../util/errors.js';
import { readBinaryFile, writeBinaryFile } from '../util/files.js';
import type { DType } from '../workload/dtype.js';
import { numel } from '../workload/graph.js';
import { decodeTensorValue, encodeTensorProto, fromLittleEndian, littleEndianBytes } from './tensor-proto.js';
import { alloc, type Value } from './value.js';

/**
 * The tensor files PyTorch and ONNX users have: NumPy `.npy` (one array),
 * `.npz` (a zip of `.npy` files, one per name; read and written with
 * fflate) and ONNX TensorProto `.pb`.
 */
const DESCR: Record<string, DType> = {
  '<f4': 'float32', '<f8': 'float64', '<f2': 'float16',
  '<i8': 'int64', '<i4': 'int32', '<i2': 'int16', '|i1': 'int8',
  '<u8': 'uint64', '<u4': 'uint32', '<u2': 'uint16', '|u1': 'uint8', '|b1': 'bool',
};
const DESCR_OF = Object.fromEntries(Object.entries(DESCR).filter(([, d]) => d !== 'float16').map(([k, d]) => [d, k])) as Partial<Record<DType, string>>;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** An `.npy` file's array. */
export function decodeNpy(bytes: Uint8Array, where: string): Value {
  const bad = (why: string) => new AccelmapError('bad-file', `not a NumPy array file: ${why}`, { file: where }, 'write it with numpy.save');
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw bad('no \\x93NUMPY header');
  const major = bytes[6]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) throw bad('header runs past the end');
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw bad('header lacks descr, fortran_order or shape');
  const dtype = DESCR[descr];
  if (!dtype) throw new AccelmapError('unsupported', `NumPy element type '${descr}' is not supported`, { file: where }, `use one of ${Object.keys(DESCR).join(', ')} (little-endian)`);
  if (fortran === 'True') throw new AccelmapError('unsupported', 'Fortran-ordered arrays are not supported', { file: where }, 'save a C-ordered array (numpy.ascontiguousarray)');
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad(`shape (${shapeText})`);
  const value = alloc(shape, dtype);
  const itemBytes = dtype === 'bool' ? 1 : Number(descr.slice(2));
  const need = numel(shape) * itemBytes;
  if (bytes.length - start - headerLen < need) throw bad(`${bytes.length - start - headerLen} bytes of data, shape (${shapeText}) of ${descr} needs ${need}`);
  fromLittleEndian(bytes.subarray(start + headerLen, start + headerLen + need), value, 'array data');
  return value;
}

/** An `.npy` file of `v` (format 1.0). */
export function encodeNpy(v: Value): Uint8Array {
  const { dtype, bytes } = littleEndianBytes(v);
  const descr = DESCR_OF[dtype];
  if (!descr) throw new AccelmapError('unsupported', `cannot write ${dtype} arrays to .npy`);
  const shape = v.shape.length === 1 ? `(${v.shape[0]},)` : `(${v.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // magic, version and length take 10 bytes; the header ends in a newline at a multiple of 64
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + head.length + bytes.length);
  out.set(MAGIC);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, head.length, true);
  out.set(head, 10);
  out.set(bytes, 10 + head.length);
  return out;
}

/** Named arrays of an `.npz` file. */
export function decodeNpz(bytes: Uint8Array, where: string): Record<string, Value> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new AccelmapError('bad-file', `not a NumPy .npz archive: ${(e as Error).message}`, { file: where }, 'write it with numpy.savez');
  }
  const out: Record<string, Value> = {};
  for (const [name, data] of Object.entries(files)) {
    if (!name.endsWith('.npy')) continue;
    out[name.slice(0, -4)] = decodeNpy(data, `${where}:${name}`);
  }
  return out;
}

export function encodeNpz(values: Record<string, Value>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(values).map(([name, v]) => [`${name}.npy`, encodeNpy(v)])));
}

type TensorFormat = 'npz' | 'npy' | 'pb';

/** The format a tensor file name says (checked before long work starts). */
export function tensorFileFormat(file: string, flag: string): TensorFormat {
  const ext = extname(file).toLowerCase().slice(1);
  if (ext === 'npz' || ext === 'npy' || ext === 'pb') return ext;
  throw new AccelmapError('bad-flag', `${flag} ${file}: unknown tensor file type '.${ext}'`, {}, 'use .npz (named arrays), .npy (one array) or .pb (an ONNX TensorProto)');
}

/**
 * Values read from a tensor file: an .npz by name; a single .npy or .pb is
 * the value of `names[0]` (it must be the only name).
 */
export function readTensorFile(file: string, names: readonly string[], flag: string): Record<string, Value> {
  const format = tensorFileFormat(file, flag);
  if (format !== 'npz' && names.length !== 1) throw new AccelmapError('bad-flag', `${flag} ${file} holds one tensor, the model has ${names.length} inputs (${names.join(', ')})`, {}, 'give an .npz with one array per input name');
  const bytes = readBinaryFile(file, 'tensor file');
  if (format === 'npz') return decodeNpz(bytes, file);
  const value = format === 'npy' ? decodeNpy(bytes, file) : decodeTensorValue({ bytes, file }).value;
  return { [names[0]!]: value };
}

/** Writes named values: every one into an .npz, or the only one into an .npy or .pb. */
export function writeTensorFile(file: string, values: Record<string, Value>, flag: string): void {
  const format = tensorFileFormat(file, flag);
  const names = Object.keys(values);
  if (format !== 'npz' && names.length !== 1) throw new AccelmapError('bad-flag', `${flag} ${file}: the model has ${names.length} outputs (${names.join(', ')}); .${format} holds one`, {}, 'write an .npz');
  const bytes = format === 'npz' ? encodeNpz(values) : format === 'npy' ? encodeNpy(values[names[0]!]!) : encodeTensorProto(names[0]!, values[names[0]!]!);
  writeBinaryFile(file, bytes, 'tensor file');
}
