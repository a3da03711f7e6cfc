import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AccelmapError } from '../util/errors.js';
import { readBinaryFile } from '../util/files.js';
import { bytesFor, type DType } from '../workload/dtype.js';
import { numel } from '../workload/graph.js';
import { dtypeOfCode } from '../workload/onnx/proto.js';
import { Message, dtypeCode, encodeMessage } from '../workload/onnx/write.js';
import { ProtoReader, WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, bufferSource } from '../workload/onnx/wire.js';
import { alloc, type Value } from './value.js';

/**
 * Reads the values of an ONNX TensorProto (a weight of a model, or an ONNX
 * test's input_N.pb / output_N.pb) in full, whatever field holds them:
 * raw_data (little-endian), the typed repeated fields, or external data
 * beside the model. The workload reader skips these bytes; this is the one
 * place that decodes them.
 */
export interface TensorBytes {
  /** The bytes holding the TensorProto message. */
  bytes: Uint8Array;
  /** File named in errors; external data is found beside it. */
  file: string;
}

interface Fields {
  name: string;
  dims: number[];
  dtype?: DType;
  raw?: Uint8Array;
  typed: number[];
  external: Record<string, string>;
}

function decodeFields(t: TensorBytes): Fields {
  const r = new ProtoReader(bufferSource(t.bytes), t.file);
  const end = t.bytes.length;
  const f: Fields = { name: '', dims: [], typed: [], external: Object.create(null) };
  const packedOr = (width: 0 | 4 | 8) => {
    const one = () => (width === 0 ? r.varint() : width === 4 ? r.float32() : r.float64());
    if (r.wire !== WIRE_LEN) return void f.typed.push(one());
    const stop = r.sub(end, 'packed data');
    while (r.pos < stop) f.typed.push(one());
  };
  while (r.next(end)) {
    switch (r.field) {
      case 1: packedOr(0); f.dims.push(...f.typed.splice(0)); break;
      case 2: r.expect(WIRE_VARINT, 'data_type'); f.dtype = dtypeOfCode(r.varint()); break;
      case 8: r.expect(WIRE_LEN, 'name'); f.name = r.string(r.length(end, 'name')); break;
      case 9: {
        r.expect(WIRE_LEN, 'raw_data');
        const n = r.length(end, 'raw_data');
        f.raw = t.bytes.subarray(r.pos, r.pos + n);
        r.skipBytes(n);
        break;
      }
      case 4: packedOr(r.wire === WIRE_FIXED32 || r.wire === WIRE_LEN ? 4 : 0); break;
      case 10: packedOr(r.wire === WIRE_FIXED64 || r.wire === WIRE_LEN ? 8 : 0); break;
      case 5: case 7: case 11: packedOr(0); break;
      case 13: {
        const stop = r.sub(end, 'external_data');
        let key = '', value = '';
        while (r.next(stop)) {
          const entryField: number = r.field;
          if (entryField === 1 || entryField === 2) {
            r.expect(WIRE_LEN, 'external_data entry');
            const s = r.string(r.length(stop, 'external_data entry'));
            if (entryField === 1) key = s;
            else value = s;
          } else r.skip(stop);
        }
        f.external[key] = value;
        break;
      }
      default: r.skip(end);
    }
  }
  return f;
}

const HALF = new Float32Array(1);
const HALF_BITS = new Uint32Array(HALF.buffer);

function halfToFloat(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1, e = (bits >> 10) & 0x1f, m = bits & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function bf16ToFloat(bits: number): number {
  HALF_BITS[0] = (bits & 0xffff) << 16;
  return HALF[0]!;
}

/** Little-endian bytes of the value's element type into its array (a TensorProto's raw_data, a NumPy array's data). */
export function fromLittleEndian(raw: Uint8Array, out: Value, where: string): void {
  const n = out.data.length;
  if (raw.length !== bytesFor(n, out.dtype)) throw new AccelmapError('bad-file', `tensor data has ${raw.length} bytes, its shape [${out.shape}] (${out.dtype}) needs ${bytesFor(n, out.dtype)}`, { path: where });
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const d = out.data;
  switch (out.dtype) {
    case 'float32': for (let i = 0; i < n; i++) d[i] = v.getFloat32(4 * i, true); break;
    case 'float64': for (let i = 0; i < n; i++) d[i] = v.getFloat64(8 * i, true); break;
    case 'float16': for (let i = 0; i < n; i++) d[i] = halfToFloat(v.getUint16(2 * i, true)); break;
    case 'bfloat16': for (let i = 0; i < n; i++) d[i] = bf16ToFloat(v.getUint16(2 * i, true)); break;
    case 'int64': for (let i = 0; i < n; i++) d[i] = Number(v.getBigInt64(8 * i, true)); break;
    case 'uint64': for (let i = 0; i < n; i++) d[i] = Number(v.getBigUint64(8 * i, true)); break;
    case 'int32': for (let i = 0; i < n; i++) d[i] = v.getInt32(4 * i, true); break;
    case 'uint32': for (let i = 0; i < n; i++) d[i] = v.getUint32(4 * i, true); break;
    case 'int16': for (let i = 0; i < n; i++) d[i] = v.getInt16(2 * i, true); break;
    case 'uint16': for (let i = 0; i < n; i++) d[i] = v.getUint16(2 * i, true); break;
    case 'int8': for (let i = 0; i < n; i++) d[i] = v.getInt8(i); break;
    case 'uint8': case 'bool': for (let i = 0; i < n; i++) d[i] = raw[i]!; break;
    default: throw new AccelmapError('unsupported', `cannot read ${out.dtype} tensor data`, { path: where });
  }
}

function fromTyped(typed: number[], out: Value, where: string): void {
  const n = out.data.length;
  if (typed.length !== n) throw new AccelmapError('bad-file', `tensor has ${typed.length} elements of data, its shape [${out.shape}] needs ${n}`, { path: where });
  const conv = out.dtype === 'float16' ? halfToFloat : out.dtype === 'bfloat16' ? bf16ToFloat : out.dtype === 'uint64' || out.dtype === 'uint32' ? (x: number) => (x < 0 ? x + 2 ** 64 : x) : undefined;
  for (let i = 0; i < n; i++) out.data[i] = conv ? conv(typed[i]!) : typed[i]!;
}

function readExternal(kv: Record<string, string>, bytes: number, file: string, where: string): Uint8Array {
  const location = kv.location;
  if (!location) throw new AccelmapError('bad-file', 'tensor is stored externally but names no location', { file, path: where });
  const offset = Number(kv.offset ?? 0);
  const path = resolve(dirname(file), location);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    throw new AccelmapError('io', `tensor data file '${location}' does not exist`, { file, path: where }, 'keep the external-data file beside the model');
  }
  try {
    if (offset + bytes > fstatSync(fd).size) throw new AccelmapError('bad-file', `external data '${location}' is too short for the tensor`, { file, path: where });
    const out = new Uint8Array(bytes);
    readSync(fd, out, 0, bytes, offset);
    return out;
  } finally {
    closeSync(fd);
  }
}

/** The tensor's values (and its name, as stored). */
export function decodeTensorValue(t: TensorBytes): { name: string; value: Value } {
  const f = decodeFields(t);
  const where = f.name ? `tensor '${f.name}'` : 'tensor';
  if (!f.dtype) throw new AccelmapError('bad-file', 'tensor has no known data type', { file: t.file, path: where });
  const out = alloc(f.dims, f.dtype);
  if (Object.keys(f.external).length) fromLittleEndian(readExternal(f.external, bytesFor(numel(f.dims), f.dtype), t.file, where), out, where);
  else if (f.raw) fromLittleEndian(f.raw, out, where);
  else fromTyped(f.typed, out, where);
  return { name: f.name, value: out };
}

/** A serialized TensorProto file (`.pb`). */
export function readTensorProtoFile(path: string): { name: string; value: Value } {
  return decodeTensorValue({ bytes: readBinaryFile(path, 'tensor file'), file: path });
}

/** Little-endian bytes of a value in its element type (float16 and bfloat16 are written as float32: the executor holds them widened). */
export function littleEndianBytes(v: Value): { dtype: DType; bytes: Uint8Array } {
  const dtype: DType = v.dtype === 'float16' || v.dtype === 'bfloat16' ? 'float32' : v.dtype;
  const n = v.data.length;
  const bytes = new Uint8Array(bytesFor(n, dtype));
  const dv = new DataView(bytes.buffer);
  const d = v.data;
  switch (dtype) {
    case 'float32': for (let i = 0; i < n; i++) dv.setFloat32(4 * i, d[i]!, true); break;
    case 'float64': for (let i = 0; i < n; i++) dv.setFloat64(8 * i, d[i]!, true); break;
    case 'int64': for (let i = 0; i < n; i++) dv.setBigInt64(8 * i, BigInt(d[i]!), true); break;
    case 'uint64': for (let i = 0; i < n; i++) dv.setBigUint64(8 * i, BigInt(d[i]!), true); break;
    case 'int32': for (let i = 0; i < n; i++) dv.setInt32(4 * i, d[i]!, true); break;
    case 'uint32': for (let i = 0; i < n; i++) dv.setUint32(4 * i, d[i]!, true); break;
    case 'int16': for (let i = 0; i < n; i++) dv.setInt16(2 * i, d[i]!, true); break;
    case 'uint16': for (let i = 0; i < n; i++) dv.setUint16(2 * i, d[i]!, true); break;
    case 'int8': for (let i = 0; i < n; i++) dv.setInt8(i, d[i]!); break;
    case 'uint8': case 'bool': bytes.set(d); break;
    default: throw new AccelmapError('unsupported', `cannot write ${dtype} values`);
  }
  return { dtype, bytes };
}

/** A TensorProto (name, dims, data_type, raw_data) holding `v`. */
export function encodeTensorProto(name: string, v: Value): Uint8Array {
  const { dtype, bytes } = littleEndianBytes(v);
  const m = new Message();
  for (const d of v.shape) m.int(1, d);
  return encodeMessage(m.int(2, dtypeCode(dtype)).string(8, name).bytes(9, bytes));
}
