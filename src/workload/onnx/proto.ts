import { bytesFor, type DType } from '../dtype.js';
import { ProtoReader, WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, bufferSource, fileSource, type ByteSource } from './wire.js';

/**
 * Decoders for the onnx.proto messages accelmap needs, over a ProtoReader.
 * Tensors keep their dims, element type and where their data lives; only
 * small tensors (shape vectors, axes, scalars, small masks: at most
 * STORED_VALUE_ELEMENTS elements) have their values decoded. Weight bytes
 * are skipped, not read.
 */

/** ONNX TensorProto.DataType codes, by position. */
const DATA_TYPES: (DType | undefined)[] = [
  undefined, 'float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool',
  'float16', 'float64', 'uint32', 'uint64', 'complex64', 'complex128', 'bfloat16',
  'float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'uint4', 'int4', 'float4e2m1', 'float8e8m0', 'uint2', 'int2',
];

export function dtypeOfCode(code: number): DType | undefined {
  return DATA_TYPES[code];
}

export interface OnnxDim {
  value?: number;
  param?: string;
}

export interface OnnxValueInfo {
  name: string;
  /** Element type of a tensor type; undefined for sequences, maps and missing types. */
  dtype?: DType;
  /** Dimensions of a tensor type; undefined when the rank is unknown. */
  shape?: OnnxDim[];
  /** What the type describes. */
  typeKind: 'tensor' | 'sequence' | 'map' | 'optional' | 'sparse-tensor' | 'none';
}

export interface ExternalData {
  location: string;
  offset: number;
  /** Bytes of the tensor's data; undefined when the file does not say. */
  length?: number;
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  /** ONNX data-type code as stored. */
  dataType: number;
  dtype?: DType;
  /** Row-major values, for small numeric tensors. */
  value?: number[];
  external?: ExternalData;
  /** Where the TensorProto message lies in the bytes it was read from (for reading its data later). */
  span?: { start: number; end: number };
}

export type AttributeType = 'float' | 'int' | 'string' | 'tensor' | 'graph' | 'sparse-tensor' | 'type' | 'floats' | 'ints' | 'strings' | 'tensors' | 'graphs' | 'sparse-tensors' | 'types' | 'undefined';

const ATTRIBUTE_TYPES: AttributeType[] = ['undefined', 'float', 'int', 'string', 'tensor', 'graph', 'floats', 'ints', 'strings', 'tensors', 'graphs', 'sparse-tensor', 'sparse-tensors', 'type', 'types'];

export interface OnnxAttribute {
  name: string;
  type: AttributeType;
  /** In a function body: the caller's attribute this one stands for. */
  refAttrName?: string;
  f?: number;
  i?: number;
  s?: string;
  t?: OnnxTensor;
  g?: OnnxGraph;
  floats?: number[];
  ints?: number[];
  strings?: string[];
  tensors?: OnnxTensor[];
  graphs?: OnnxGraph[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
}

export interface OnnxFunction {
  name: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  /** Attribute names; those with defaults also appear in `attributeDefaults`. */
  attributes: string[];
  attributeDefaults: OnnxAttribute[];
  nodes: OnnxNode[];
  opsets: Record<string, number>;
}

export interface OnnxModel {
  irVersion: number;
  /** Opset version per domain ('' is the default ONNX domain). */
  opsets: Record<string, number>;
  producer: string;
  graph: OnnxGraph;
  functions: OnnxFunction[];
}

// ---------------------------------------------------------------- scalar and repeated fields

/** Largest stored tensor whose values are decoded. */
export const STORED_VALUE_ELEMENTS = 1024;
/** Largest raw or packed data field read into memory to decode values. */
const MAX_VALUE_BYTES = STORED_VALUE_ELEMENTS * 16;
/** Longest list of ints, floats, strings or dimensions kept (a corrupt file could claim more). */
const MAX_LIST = 1 << 20;
/** Highest rank accepted for a tensor or a declared shape. */
const MAX_RANK = 64;

function str(r: ProtoReader, end: number, name: string): string {
  r.expect(WIRE_LEN, name);
  return r.string(r.length(end, name));
}

function int(r: ProtoReader, name: string): number {
  r.expect(WIRE_VARINT, name);
  return r.varint();
}

/** The end of the nested message the current field holds. */
function sub(r: ProtoReader, end: number, name: string): number {
  r.expect(WIRE_LEN, name);
  return r.sub(end, name);
}

/** Appends one or more (packed) varints to `out`, keeping at most `keep`; returns false when some were dropped. */
function varints(r: ProtoReader, end: number, out: number[], name: string, keep = MAX_LIST): boolean {
  if (r.wire === WIRE_VARINT) {
    const v = r.varint();
    if (out.length >= keep) return false;
    out.push(v);
    return true;
  }
  const stop = sub(r, end, name);
  while (r.pos < stop) {
    if (out.length >= keep) {
      r.skipBytes(stop - r.pos);
      return false;
    }
    out.push(r.varint());
  }
  if (r.pos !== stop) throw r.corrupt(`packed ${name} overruns its length`);
  return true;
}

/** Appends fixed-width floats (4 or 8 bytes, packed or not), keeping at most `keep`. */
function fixed(r: ProtoReader, end: number, out: number[], name: string, width: 4 | 8, keep = MAX_LIST): boolean {
  if (r.wire === (width === 4 ? WIRE_FIXED32 : WIRE_FIXED64)) {
    const v = width === 4 ? r.float32() : r.float64();
    if (out.length >= keep) return false;
    out.push(v);
    return true;
  }
  r.expect(WIRE_LEN, name);
  const n = r.length(end, name);
  if (n % width) throw r.corrupt(`packed ${name} has ${n} bytes, not a multiple of ${width}`);
  if (out.length + n / width > keep) {
    r.skipBytes(n);
    return false;
  }
  for (let i = 0; i < n; i += width) out.push(width === 4 ? r.float32() : r.float64());
  return true;
}

// ---------------------------------------------------------------- tensors

/** A StringStringEntryProto as [key, value]. */
function decodeEntry(r: ProtoReader, end: number): [string, string] {
  let key = '', value = '';
  while (r.next(end)) {
    if (r.field === 1) key = str(r, end, 'key');
    else if (r.field === 2) value = str(r, end, 'value');
    else r.skip(end);
  }
  return [key, value];
}

interface TensorFields {
  raw?: Uint8Array;
  rawBytes: number;
  typed: number[];
  /** Elements in the typed data fields (−1 once too many to track). */
  typedCount: number;
  external: Record<string, string>;
  dataLocation: number;
}

export function decodeTensor(r: ProtoReader, end: number): OnnxTensor {
  const t: OnnxTensor = { name: '', dims: [], dataType: 0, span: { start: r.pos, end } };
  const f: TensorFields = { rawBytes: -1, typed: [], typedCount: 0, external: Object.create(null), dataLocation: 0 };
  while (r.next(end)) {
    switch (r.field) {
      case 1:
        if (!varints(r, end, t.dims, 'dims', MAX_RANK)) throw r.corrupt(`tensor has more than ${MAX_RANK} dimensions`);
        break;
      case 2: t.dataType = int(r, 'data_type'); break;
      case 8: t.name = str(r, end, 'name'); break;
      case 9: {
        r.expect(WIRE_LEN, 'raw_data');
        const n = r.length(end, 'raw_data');
        f.rawBytes = n;
        if (n <= MAX_VALUE_BYTES) f.raw = r.bytes(n);
        else r.skipBytes(n);
        break;
      }
      case 4: case 5: case 7: case 10: case 11:
        typedField(r, end, f);
        break;
      case 6:
        r.expect(WIRE_LEN, 'string_data');
        r.skipBytes(r.length(end, 'string_data'));
        if (f.typedCount >= 0) f.typedCount++;
        break;
      case 13: {
        const [key, value] = nested(r, end, 'external_data', decodeEntry);
        f.external[key] = value;
        break;
      }
      case 14: f.dataLocation = int(r, 'data_location'); break;
      default: r.skip(end);
    }
  }
  t.dtype = dtypeOfCode(t.dataType);
  if (!t.dtype) throw r.corrupt(`tensor '${t.name}' has unknown data type ${t.dataType}`);
  for (const d of t.dims) if (d < 0 || !Number.isSafeInteger(d)) throw r.corrupt(`tensor '${t.name}' has dimension ${d}`);
  const numel = t.dims.reduce((p, d) => p * d, 1);
  if (!Number.isSafeInteger(numel)) throw r.corrupt(`tensor '${t.name}' has too many elements`);
  if (f.dataLocation === 1 || Object.keys(f.external).length) {
    t.external = externalData(r, t, f.external);
    return t;
  }
  checkDataSize(r, t, numel, f);
  if (numel <= STORED_VALUE_ELEMENTS) {
    const value = f.raw ? decodeRaw(f.raw, t.dtype, numel) : decodeTyped(f.typed, t.dtype, numel);
    if (value) t.value = value;
  }
  return t;
}

const TYPED_FIELDS: Record<number, string> = { 4: 'float_data', 5: 'int32_data', 7: 'int64_data', 10: 'double_data', 11: 'uint64_data' };

function typedField(r: ProtoReader, end: number, f: TensorFields): void {
  const before = f.typed.length;
  const keep = f.typedCount >= 0 ? MAX_VALUE_BYTES / 4 : 0;
  const name = TYPED_FIELDS[r.field]!;
  const kept = r.field === 4 ? fixed(r, end, f.typed, name, 4, keep) : r.field === 10 ? fixed(r, end, f.typed, name, 8, keep) : varints(r, end, f.typed, name, keep);
  if (kept) f.typedCount += f.typed.length - before;
  else {
    // too long to keep: its element count is no longer tracked
    f.typed.length = 0;
    f.typedCount = -1;
  }
}

function externalData(r: ProtoReader, t: OnnxTensor, kv: Record<string, string>): ExternalData {
  const location = kv.location;
  if (!location) throw r.corrupt(`tensor '${t.name}' is stored externally but names no location`);
  const num = (key: string): number | undefined => {
    const v = kv[key];
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw r.corrupt(`tensor '${t.name}' has external-data ${key} '${v}'`);
    return Number(v);
  };
  const ext: ExternalData = { location, offset: num('offset') ?? 0 };
  const length = num('length');
  if (length !== undefined) ext.length = length;
  return ext;
}

/** Bytes or elements of stored data, when known, must match the dims. */
function checkDataSize(r: ProtoReader, t: OnnxTensor, numel: number, f: TensorFields): void {
  const d = t.dtype!;
  const complex = d === 'complex64' || d === 'complex128';
  if (f.rawBytes >= 0) {
    const expected = bytesFor(numel, d);
    if (f.rawBytes !== expected) throw r.corrupt(`tensor '${t.name}' of shape [${t.dims}] (${d}) needs ${expected} bytes of raw data, has ${f.rawBytes}`);
    return;
  }
  if (f.typedCount < 0) return;
  const packed = d === 'int4' || d === 'uint4' || d === 'float4e2m1' ? Math.ceil(numel / 2) : d === 'int2' || d === 'uint2' ? Math.ceil(numel / 4) : numel;
  const expected = complex ? 2 * numel : packed;
  if (f.typedCount !== expected && !(f.typedCount === 0 && numel === 0)) {
    throw r.corrupt(`tensor '${t.name}' of shape [${t.dims}] (${d}) needs ${expected} elements of data, has ${f.typedCount}`);
  }
}

const HALF_TABLE = new Float32Array(1);
const HALF_BITS = new Uint32Array(HALF_TABLE.buffer);

function bfloat16(bits: number): number {
  HALF_BITS[0] = (bits & 0xffff) << 16;
  return HALF_TABLE[0]!;
}

function float16(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Values from raw little-endian bytes; undefined for types whose values accelmap never needs (floats of 8 bits or less, complex, strings). */
function decodeRaw(raw: Uint8Array, d: DType, numel: number): number[] | undefined {
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Array<number>(numel);
  const each = (bytes: number, get: (o: number) => number) => {
    for (let i = 0; i < numel; i++) out[i] = get(i * bytes);
    return out;
  };
  switch (d) {
    case 'float32': return each(4, (o) => v.getFloat32(o, true));
    case 'float64': return each(8, (o) => v.getFloat64(o, true));
    case 'float16': return each(2, (o) => float16(v.getUint16(o, true)));
    case 'bfloat16': return each(2, (o) => bfloat16(v.getUint16(o, true)));
    case 'int8': return each(1, (o) => v.getInt8(o));
    case 'uint8': return each(1, (o) => v.getUint8(o));
    case 'bool': return each(1, (o) => (v.getUint8(o) ? 1 : 0));
    case 'int16': return each(2, (o) => v.getInt16(o, true));
    case 'uint16': return each(2, (o) => v.getUint16(o, true));
    case 'int32': return each(4, (o) => v.getInt32(o, true));
    case 'uint32': return each(4, (o) => v.getUint32(o, true));
    case 'int64': return each(8, (o) => Number(v.getBigInt64(o, true)));
    case 'uint64': return each(8, (o) => Number(v.getBigUint64(o, true)));
    case 'int4':
    case 'uint4':
      for (let i = 0; i < numel; i++) {
        const nib = (raw[i >> 1]! >> ((i & 1) * 4)) & 0xf;
        out[i] = d === 'int4' && nib >= 8 ? nib - 16 : nib;
      }
      return out;
    default:
      return undefined;
  }
}

function decodeTyped(typed: number[], d: DType, numel: number): number[] | undefined {
  if (typed.length === 0) return numel === 0 ? [] : undefined;
  switch (d) {
    case 'float16': return typed.map(float16);
    case 'bfloat16': return typed.map(bfloat16);
    case 'bool': return typed.map((x) => (x ? 1 : 0));
    case 'uint32': case 'uint64': return typed.map((x) => (x < 0 ? x + 2 ** 64 : x));
    case 'int4': case 'uint4': {
      const out = new Array<number>(numel);
      for (let i = 0; i < numel; i++) {
        const nib = (typed[i >> 1]! >> ((i & 1) * 4)) & 0xf;
        out[i] = d === 'int4' && nib >= 8 ? nib - 16 : nib;
      }
      return out;
    }
    case 'float32': case 'float64': case 'int8': case 'uint8': case 'int16': case 'uint16': case 'int32': case 'int64':
      return typed.length === numel ? typed : undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- types and value infos

function decodeShape(r: ProtoReader, end: number): OnnxDim[] {
  const dims: OnnxDim[] = [];
  while (r.next(end)) {
    if (r.field !== 1) {
      r.skip(end);
      continue;
    }
    const stop = sub(r, end, 'dim');
    const dim: OnnxDim = {};
    while (r.next(stop)) {
      if (r.field === 1) {
        dim.value = int(r, 'dim_value');
        // past 2^53 a varint no longer reads exactly: the dimension would be a different number
        if (!Number.isSafeInteger(dim.value)) throw r.corrupt(`dimension ${dim.value} is not a whole number below 2^53`);
      } else if (r.field === 2) dim.param = str(r, stop, 'dim_param');
      else r.skip(stop);
    }
    if (dims.length >= MAX_RANK) throw r.corrupt(`shape has more than ${MAX_RANK} dimensions`);
    dims.push(dim);
  }
  return dims;
}

const TYPE_KINDS: Record<number, OnnxValueInfo['typeKind']> = { 1: 'tensor', 4: 'sequence', 5: 'map', 8: 'sparse-tensor', 9: 'optional' };

function decodeType(r: ProtoReader, end: number, into: OnnxValueInfo): void {
  while (r.next(end)) {
    const kind = TYPE_KINDS[r.field];
    if (!kind) {
      r.skip(end);
      continue;
    }
    const stop = sub(r, end, 'type');
    into.typeKind = kind;
    if (kind !== 'tensor' && kind !== 'sparse-tensor') {
      r.skipBytes(stop - r.pos);
      continue;
    }
    while (r.next(stop)) {
      if (r.field === 1) {
        const d = dtypeOfCode(int(r, 'elem_type'));
        if (d) into.dtype = d;
      } else if (r.field === 2) into.shape = decodeShape(r, sub(r, stop, 'shape'));
      else r.skip(stop);
    }
  }
}

function decodeValueInfo(r: ProtoReader, end: number): OnnxValueInfo {
  const vi: OnnxValueInfo = { name: '', typeKind: 'none' };
  while (r.next(end)) {
    if (r.field === 1) vi.name = str(r, end, 'name');
    else if (r.field === 2) decodeType(r, sub(r, end, 'type'), vi);
    else r.skip(end);
  }
  return vi;
}

// ---------------------------------------------------------------- nodes, attributes, graphs

/** Decodes the nested message of the current field with `decode`, named `name` in errors. */
function nested<T>(r: ProtoReader, end: number, name: string, decode: (r: ProtoReader, end: number) => T): T {
  const stop = sub(r, end, name);
  r.enter(name);
  const v = decode(r, stop);
  r.leave();
  return v;
}

function listed<T>(r: ProtoReader, list: T[] | undefined, v: T): T[] {
  const out = list ?? [];
  if (out.length >= MAX_LIST) throw r.corrupt('list too long');
  out.push(v);
  return out;
}

function decodeAttribute(r: ProtoReader, end: number): OnnxAttribute {
  const a: OnnxAttribute = { name: '', type: 'undefined' };
  let typeCode = -1;
  while (r.next(end)) {
    switch (r.field) {
      case 1: a.name = str(r, end, 'name'); break;
      case 21: a.refAttrName = str(r, end, 'ref_attr_name'); break;
      case 20: typeCode = int(r, 'type'); break;
      case 2: r.expect(WIRE_FIXED32, 'f'); a.f = r.float32(); break;
      case 3: a.i = int(r, 'i'); break;
      case 4: a.s = str(r, end, 's'); break;
      case 5: a.t = nested(r, end, 't', decodeTensor); break;
      case 22: a.t = nested(r, end, 'sparse_tensor', decodeSparse); break;
      case 6: a.g = nested(r, end, 'g', decodeGraph); break;
      case 7: if (!fixed(r, end, (a.floats ??= []), 'floats', 4)) throw r.corrupt('attribute list too long'); break;
      case 8: if (!varints(r, end, (a.ints ??= []), 'ints')) throw r.corrupt('attribute list too long'); break;
      case 9: a.strings = listed(r, a.strings, str(r, end, 'strings')); break;
      case 10: a.tensors = listed(r, a.tensors, nested(r, end, 'tensors', decodeTensor)); break;
      case 11: a.graphs = listed(r, a.graphs, nested(r, end, 'graphs', decodeGraph)); break;
      default: r.skip(end);
    }
  }
  a.type = ATTRIBUTE_TYPES[typeCode] ?? inferAttributeType(a);
  return a;
}

/** IR versions before 2 had no type field: the type is whichever value is set. */
function inferAttributeType(a: OnnxAttribute): AttributeType {
  if (a.f !== undefined) return 'float';
  if (a.i !== undefined) return 'int';
  if (a.s !== undefined) return 'string';
  if (a.t) return 'tensor';
  if (a.g) return 'graph';
  if (a.floats) return 'floats';
  if (a.ints) return 'ints';
  if (a.strings) return 'strings';
  if (a.tensors) return 'tensors';
  if (a.graphs) return 'graphs';
  return 'undefined';
}

function decodeNode(r: ProtoReader, end: number): OnnxNode {
  const n: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: [] };
  while (r.next(end)) {
    switch (r.field) {
      case 1: n.inputs.push(str(r, end, 'input')); break;
      case 2: n.outputs.push(str(r, end, 'output')); break;
      case 3: n.name = str(r, end, 'name'); break;
      case 4: n.opType = str(r, end, 'op_type'); break;
      case 7: n.domain = str(r, end, 'domain'); break;
      case 5: n.attributes.push(nested(r, end, 'attribute', decodeAttribute)); break;
      default: r.skip(end);
    }
  }
  return n;
}

export function decodeGraph(r: ProtoReader, end: number): OnnxGraph {
  const g: OnnxGraph = { name: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] };
  while (r.next(end)) {
    switch (r.field) {
      case 1: g.nodes.push(nested(r, end, 'node', decodeNode)); break;
      case 2: g.name = str(r, end, 'name'); break;
      case 5: g.initializers.push(nested(r, end, 'initializer', decodeTensor)); break;
      case 15: g.initializers.push(nested(r, end, 'sparse_initializer', decodeSparse)); break;
      case 11: g.inputs.push(nested(r, end, 'input', decodeValueInfo)); break;
      case 12: g.outputs.push(nested(r, end, 'output', decodeValueInfo)); break;
      case 13: g.valueInfo.push(nested(r, end, 'value_info', decodeValueInfo)); break;
      default: r.skip(end);
    }
  }
  return g;
}

/** A sparse tensor as a dense one of its dims (values kept only when it is small). */
export function decodeSparse(r: ProtoReader, end: number): OnnxTensor {
  let values: OnnxTensor | undefined;
  let indices: OnnxTensor | undefined;
  const dims: number[] = [];
  while (r.next(end)) {
    if (r.field === 1) values = nested(r, end, 'values', decodeTensor);
    else if (r.field === 2) indices = nested(r, end, 'indices', decodeTensor);
    else if (r.field === 3) {
      if (!varints(r, end, dims, 'dims', MAX_RANK)) throw r.corrupt(`sparse tensor has more than ${MAX_RANK} dimensions`);
    } else r.skip(end);
  }
  if (!values) throw r.corrupt('sparse tensor without values');
  for (const d of dims) if (d < 0 || !Number.isSafeInteger(d)) throw r.corrupt(`sparse tensor '${values.name}' has dimension ${d}`);
  const t: OnnxTensor = { name: values.name, dims, dataType: values.dataType, dtype: values.dtype };
  const numel = dims.reduce((p, d) => p * d, 1);
  if (numel <= STORED_VALUE_ELEMENTS && values.value && indices?.value) {
    const dense = new Array<number>(numel).fill(0);
    const linear = indices.dims.length === 1;
    for (let k = 0; k < values.value.length; k++) {
      let at = 0;
      if (linear) at = indices.value[k]!;
      else for (let j = 0; j < dims.length; j++) at = at * dims[j]! + indices.value[k * dims.length + j]!;
      if (!(at >= 0 && at < numel)) throw r.corrupt(`sparse tensor '${t.name}' has index ${at} outside its ${numel} elements`);
      dense[at] = values.value[k]!;
    }
    t.value = dense;
  }
  return t;
}

function decodeOpset(r: ProtoReader, end: number, into: Record<string, number>): void {
  let domain = '';
  let version = 0;
  while (r.next(end)) {
    if (r.field === 1) domain = str(r, end, 'domain');
    else if (r.field === 2) version = int(r, 'version');
    else r.skip(end);
  }
  into[domain === 'ai.onnx' ? '' : domain] = version;
}

function decodeFunction(r: ProtoReader, end: number): OnnxFunction {
  const fn: OnnxFunction = { name: '', domain: '', inputs: [], outputs: [], attributes: [], attributeDefaults: [], nodes: [], opsets: Object.create(null) };
  while (r.next(end)) {
    switch (r.field) {
      case 1: fn.name = str(r, end, 'name'); break;
      case 10: fn.domain = str(r, end, 'domain'); break;
      case 4: fn.inputs.push(str(r, end, 'input')); break;
      case 5: fn.outputs.push(str(r, end, 'output')); break;
      case 6: fn.attributes.push(str(r, end, 'attribute')); break;
      case 11: {
        const a = nested(r, end, 'attribute_proto', decodeAttribute);
        fn.attributes.push(a.name);
        fn.attributeDefaults.push(a);
        break;
      }
      case 7: fn.nodes.push(nested(r, end, 'node', decodeNode)); break;
      case 9: decodeOpset(r, sub(r, end, 'opset_import'), fn.opsets); break;
      default: r.skip(end);
    }
  }
  return fn;
}

export function decodeModel(r: ProtoReader): OnnxModel {
  const end = r.size;
  const m: OnnxModel = { irVersion: 0, opsets: Object.create(null), producer: '', graph: { name: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] }, functions: [] };
  let producerVersion = '';
  let sawGraph = false;
  while (r.next(end)) {
    switch (r.field) {
      case 1: m.irVersion = int(r, 'ir_version'); break;
      case 2: m.producer = str(r, end, 'producer_name'); break;
      case 3: producerVersion = str(r, end, 'producer_version'); break;
      case 7:
        m.graph = nested(r, end, 'graph', decodeGraph);
        sawGraph = true;
        break;
      case 8: decodeOpset(r, sub(r, end, 'opset_import'), m.opsets); break;
      case 25: m.functions.push(nested(r, end, 'functions', decodeFunction)); break;
      default: r.skip(end);
    }
  }
  if (!sawGraph) throw r.corrupt('no graph in the model');
  if (producerVersion) m.producer = `${m.producer} ${producerVersion}`.trim();
  return m;
}

function withSource<T>(source: ByteSource, file: string, fn: (r: ProtoReader) => T): T {
  try {
    return fn(new ProtoReader(source, file));
  } finally {
    source.close();
  }
}

/** Reads an ONNX model file through a bounded window; weight bytes are skipped, not loaded. */
export function readModelFile(path: string): OnnxModel {
  return withSource(fileSource(path), path, decodeModel);
}

export function readModelBytes(bytes: Uint8Array, file = '<memory>'): OnnxModel {
  return withSource(bufferSource(bytes), file, decodeModel);
}

/** Reads a serialized TensorProto (e.g. an ONNX test's output_0.pb). */
export function readTensorFile(path: string): OnnxTensor {
  return withSource(fileSource(path), path, (r) => decodeTensor(r, r.size));
}
