import { bytesFor, type DType } from '../dtype.js';
import { MAX_FOLDED_ELEMENTS } from '../shape.js';
import { ProtoReader, WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, bufferSource, fileSource, type ByteSource } from './wire.js';

/**
 * Decoders for the onnx.proto messages accelmap needs, over a ProtoReader.
 * Tensors keep their dims, element type and where their data lives; only
 * small tensors (shape vectors, axes, scalars: at most MAX_FOLDED_ELEMENTS
 * elements) have their values decoded. Weight bytes are skipped, not read.
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

/** Largest raw or packed data field read into memory to decode values. */
const MAX_VALUE_BYTES = MAX_FOLDED_ELEMENTS * 16;
/** Longest list of dims, ints, floats or strings kept (a corrupt file could claim more). */
const MAX_LIST = 1 << 20;

function str(r: ProtoReader, wire: number, end: number, field: string): string {
  r.expectWire(wire, WIRE_LEN, field);
  return r.string(r.length(end, field));
}

function int(r: ProtoReader, wire: number, field: string): number {
  r.expectWire(wire, WIRE_VARINT, field);
  return r.varint();
}

/** Appends one or more (packed) varints to `out`; returns false when the list was too long to keep. */
function varints(r: ProtoReader, wire: number, end: number, out: number[], field: string, keep = MAX_LIST): boolean {
  if (wire === WIRE_VARINT) {
    const v = r.varint();
    if (out.length < keep) out.push(v);
    return out.length < keep;
  }
  r.expectWire(wire, WIRE_LEN, field);
  const stop = r.sub(end, field);
  while (r.pos < stop) {
    if (out.length >= keep) {
      r.skipBytes(stop - r.pos);
      return false;
    }
    out.push(r.varint());
  }
  if (r.pos !== stop) throw r.corrupt(`packed ${field} overruns its length`);
  return true;
}

function floats(r: ProtoReader, wire: number, end: number, out: number[], field: string, keep = MAX_LIST): boolean {
  if (wire === WIRE_FIXED32) {
    const v = r.float32();
    if (out.length < keep) out.push(v);
    return out.length < keep;
  }
  r.expectWire(wire, WIRE_LEN, field);
  const n = r.length(end, field);
  if (n % 4) throw r.corrupt(`packed ${field} has ${n} bytes, not a multiple of 4`);
  if (out.length + n / 4 > keep) {
    r.skipBytes(n);
    return false;
  }
  for (let i = 0; i < n; i += 4) out.push(r.float32());
  return true;
}

function doubles(r: ProtoReader, wire: number, end: number, out: number[], field: string, keep: number): boolean {
  if (wire === WIRE_FIXED64) {
    const v = r.float64();
    if (out.length < keep) out.push(v);
    return out.length < keep;
  }
  r.expectWire(wire, WIRE_LEN, field);
  const n = r.length(end, field);
  if (n % 8) throw r.corrupt(`packed ${field} has ${n} bytes, not a multiple of 8`);
  if (out.length + n / 8 > keep) {
    r.skipBytes(n);
    return false;
  }
  for (let i = 0; i < n; i += 8) out.push(r.float64());
  return true;
}

// ---------------------------------------------------------------- tensors

interface TensorFields {
  raw?: Uint8Array;
  rawBytes: number;
  typed: number[];
  /** Elements in the typed data fields (counted even when not kept). */
  typedCount: number;
  /** False when typed data was too long to keep (its count may then be unknown). */
  typedKept: boolean;
  external: Record<string, string>;
  dataLocation: number;
}

export function decodeTensor(r: ProtoReader, end: number): OnnxTensor {
  const t: OnnxTensor = { name: '', dims: [], dataType: 0 };
  const f: TensorFields = { rawBytes: -1, typed: [], typedCount: 0, typedKept: true, external: {}, dataLocation: 0 };
  r.message(end, (field, wire) => {
    switch (field) {
      case 1:
        if (!varints(r, wire, end, t.dims, 'dims', 65) || t.dims.length > 64) throw r.corrupt('tensor has more than 64 dimensions');
        return true;
      case 2:
        t.dataType = int(r, wire, 'data_type');
        return true;
      case 8:
        t.name = str(r, wire, end, 'name');
        return true;
      case 9: {
        r.expectWire(wire, WIRE_LEN, 'raw_data');
        const n = r.length(end, 'raw_data');
        f.rawBytes = n;
        if (n <= MAX_VALUE_BYTES) f.raw = r.bytes(n);
        else r.skipBytes(n);
        return true;
      }
      case 4:
      case 5:
      case 7:
      case 10:
      case 11:
        typedField(r, field, wire, end, f);
        return true;
      case 6: {
        r.expectWire(wire, WIRE_LEN, 'string_data');
        r.skipBytes(r.length(end, 'string_data'));
        f.typedCount++;
        return true;
      }
      case 13: {
        r.expectWire(wire, WIRE_LEN, 'external_data');
        const stop = r.sub(end, 'external_data');
        let key = '', value = '';
        r.message(stop, (ef, ew) => {
          if (ef === 1) key = str(r, ew, stop, 'key');
          else if (ef === 2) value = str(r, ew, stop, 'value');
          else return false;
          return true;
        });
        f.external[key] = value;
        return true;
      }
      case 14:
        f.dataLocation = int(r, wire, 'data_location');
        return true;
      default:
        return false;
    }
  });
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
  if (numel <= MAX_FOLDED_ELEMENTS) {
    const value = f.raw ? decodeRaw(f.raw, t.dtype, numel) : decodeTyped(f.typed, t.dtype, numel);
    if (value) t.value = value;
  }
  return t;
}

const TYPED_FIELDS: Record<number, string> = { 4: 'float_data', 5: 'int32_data', 7: 'int64_data', 10: 'double_data', 11: 'uint64_data' };

function typedField(r: ProtoReader, field: number, wire: number, end: number, f: TensorFields): void {
  const before = f.typed.length;
  const keep = f.typedKept ? MAX_VALUE_BYTES / 4 : 0;
  const name = TYPED_FIELDS[field]!;
  const kept = field === 4 ? floats(r, wire, end, f.typed, name, keep) : field === 10 ? doubles(r, wire, end, f.typed, name, keep) : varints(r, wire, end, f.typed, name, keep);
  if (kept) {
    f.typedCount += f.typed.length - before;
    return;
  }
  // too long to keep: its element count is no longer tracked
  f.typedKept = false;
  f.typed.length = 0;
  f.typedCount = -1;
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
  r.message(end, (field, wire) => {
    if (field !== 1) return false;
    r.expectWire(wire, WIRE_LEN, 'dim');
    const stop = r.sub(end, 'dim');
    const dim: OnnxDim = {};
    r.message(stop, (df, dw) => {
      if (df === 1) dim.value = int(r, dw, 'dim_value');
      else if (df === 2) dim.param = str(r, dw, stop, 'dim_param');
      else return false;
      return true;
    });
    if (dims.length >= MAX_LIST) throw r.corrupt('shape has too many dimensions');
    dims.push(dim);
    return true;
  });
  return dims;
}

function decodeType(r: ProtoReader, end: number, into: OnnxValueInfo): void {
  r.message(end, (field, wire) => {
    const kinds: Record<number, OnnxValueInfo['typeKind']> = { 1: 'tensor', 4: 'sequence', 5: 'map', 8: 'sparse-tensor', 9: 'optional' };
    const kind = kinds[field];
    if (!kind) return false;
    r.expectWire(wire, WIRE_LEN, 'type');
    const stop = r.sub(end, 'type');
    into.typeKind = kind;
    if (kind !== 'tensor' && kind !== 'sparse-tensor') {
      r.skipBytes(stop - r.pos);
      return true;
    }
    r.message(stop, (tf, tw) => {
      if (tf === 1) {
        const code = int(r, tw, 'elem_type');
        const d = dtypeOfCode(code);
        if (d) into.dtype = d;
      } else if (tf === 2) {
        r.expectWire(tw, WIRE_LEN, 'shape');
        into.shape = decodeShape(r, r.sub(stop, 'shape'));
      } else return false;
      return true;
    });
    return true;
  });
}

function decodeValueInfo(r: ProtoReader, end: number): OnnxValueInfo {
  const vi: OnnxValueInfo = { name: '', typeKind: 'none' };
  r.message(end, (field, wire) => {
    if (field === 1) vi.name = str(r, wire, end, 'name');
    else if (field === 2) {
      r.expectWire(wire, WIRE_LEN, 'type');
      decodeType(r, r.sub(end, 'type'), vi);
    } else return false;
    return true;
  });
  return vi;
}

// ---------------------------------------------------------------- nodes, attributes, graphs

function decodeAttribute(r: ProtoReader, end: number): OnnxAttribute {
  const a: OnnxAttribute = { name: '', type: 'undefined' };
  let typeCode = -1;
  const list = <T>(arr: T[] | undefined, v: T): T[] => {
    const out = arr ?? [];
    if (out.length >= MAX_LIST) throw r.corrupt('attribute list too long');
    out.push(v);
    return out;
  };
  r.message(end, (field, wire) => {
    switch (field) {
      case 1: a.name = str(r, wire, end, 'name'); return true;
      case 21: a.refAttrName = str(r, wire, end, 'ref_attr_name'); return true;
      case 20: typeCode = int(r, wire, 'type'); return true;
      case 2: r.expectWire(wire, WIRE_FIXED32, 'f'); a.f = r.float32(); return true;
      case 3: a.i = int(r, wire, 'i'); return true;
      case 4: a.s = str(r, wire, end, 's'); return true;
      case 5: r.expectWire(wire, WIRE_LEN, 't'); a.t = r.within('t', () => decodeTensor(r, r.sub(end, 't'))); return true;
      case 22: r.expectWire(wire, WIRE_LEN, 'sparse_tensor'); a.t = r.within('sparse_tensor', () => decodeSparse(r, r.sub(end, 'sparse_tensor'))); return true;
      case 6: r.expectWire(wire, WIRE_LEN, 'g'); a.g = r.within('g', () => decodeGraph(r, r.sub(end, 'g'))); return true;
      case 7: if (!floats(r, wire, end, (a.floats ??= []), 'floats')) throw r.corrupt('attribute list too long'); return true;
      case 8: if (!varints(r, wire, end, (a.ints ??= []), 'ints')) throw r.corrupt('attribute list too long'); return true;
      case 9: a.strings = list(a.strings, str(r, wire, end, 'strings')); return true;
      case 10: r.expectWire(wire, WIRE_LEN, 'tensors'); a.tensors = list(a.tensors, r.within('tensors', () => decodeTensor(r, r.sub(end, 'tensors')))); return true;
      case 11: r.expectWire(wire, WIRE_LEN, 'graphs'); a.graphs = list(a.graphs, r.within('graphs', () => decodeGraph(r, r.sub(end, 'graphs')))); return true;
      default: return false;
    }
  });
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
  r.message(end, (field, wire) => {
    switch (field) {
      case 1: n.inputs.push(str(r, wire, end, 'input')); return true;
      case 2: n.outputs.push(str(r, wire, end, 'output')); return true;
      case 3: n.name = str(r, wire, end, 'name'); return true;
      case 4: n.opType = str(r, wire, end, 'op_type'); return true;
      case 7: n.domain = str(r, wire, end, 'domain'); return true;
      case 5:
        r.expectWire(wire, WIRE_LEN, 'attribute');
        n.attributes.push(r.within(`attribute[${n.attributes.length}]`, () => decodeAttribute(r, r.sub(end, 'attribute'))));
        return true;
      default: return false;
    }
  });
  return n;
}

export function decodeGraph(r: ProtoReader, end: number): OnnxGraph {
  const g: OnnxGraph = { name: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] };
  r.message(end, (field, wire) => {
    const sub = (what: string) => {
      r.expectWire(wire, WIRE_LEN, what);
      return r.sub(end, what);
    };
    switch (field) {
      case 1: g.nodes.push(r.within(`node[${g.nodes.length}]`, () => decodeNode(r, sub('node')))); return true;
      case 2: g.name = str(r, wire, end, 'name'); return true;
      case 5: g.initializers.push(r.within(`initializer[${g.initializers.length}]`, () => decodeTensor(r, sub('initializer')))); return true;
      case 15: g.initializers.push(r.within(`sparse_initializer[${g.initializers.length}]`, () => decodeSparse(r, sub('sparse_initializer')))); return true;
      case 11: g.inputs.push(r.within(`input[${g.inputs.length}]`, () => decodeValueInfo(r, sub('input')))); return true;
      case 12: g.outputs.push(r.within(`output[${g.outputs.length}]`, () => decodeValueInfo(r, sub('output')))); return true;
      case 13: g.valueInfo.push(r.within(`value_info[${g.valueInfo.length}]`, () => decodeValueInfo(r, sub('value_info')))); return true;
      default: return false;
    }
  });
  return g;
}

/** A sparse tensor as a dense one of its dims (values kept only when it is small and all zero-filled positions are known). */
export function decodeSparse(r: ProtoReader, end: number): OnnxTensor {
  let values: OnnxTensor | undefined;
  let indices: OnnxTensor | undefined;
  const dims: number[] = [];
  r.message(end, (field, wire) => {
    if (field === 1) {
      r.expectWire(wire, WIRE_LEN, 'values');
      values = decodeTensor(r, r.sub(end, 'values'));
    } else if (field === 2) {
      r.expectWire(wire, WIRE_LEN, 'indices');
      indices = decodeTensor(r, r.sub(end, 'indices'));
    } else if (field === 3) {
      if (!varints(r, wire, end, dims, 'dims', 65) || dims.length > 64) throw r.corrupt('sparse tensor has more than 64 dimensions');
    } else return false;
    return true;
  });
  if (!values) throw r.corrupt('sparse tensor without values');
  for (const d of dims) if (d < 0 || !Number.isSafeInteger(d)) throw r.corrupt(`sparse tensor '${values.name}' has dimension ${d}`);
  const t: OnnxTensor = { name: values.name, dims, dataType: values.dataType, dtype: values.dtype };
  const numel = dims.reduce((p, d) => p * d, 1);
  if (numel <= MAX_FOLDED_ELEMENTS && values.value && indices?.value) {
    const dense = new Array<number>(numel).fill(0);
    const nnz = values.value.length;
    const linear = indices.dims.length === 1;
    for (let k = 0; k < nnz; k++) {
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
  r.message(end, (field, wire) => {
    if (field === 1) domain = str(r, wire, end, 'domain');
    else if (field === 2) version = int(r, wire, 'version');
    else return false;
    return true;
  });
  into[domain === 'ai.onnx' ? '' : domain] = version;
}

function decodeFunction(r: ProtoReader, end: number): OnnxFunction {
  const fn: OnnxFunction = { name: '', domain: '', inputs: [], outputs: [], attributes: [], attributeDefaults: [], nodes: [], opsets: Object.create(null) };
  r.message(end, (field, wire) => {
    switch (field) {
      case 1: fn.name = str(r, wire, end, 'name'); return true;
      case 10: fn.domain = str(r, wire, end, 'domain'); return true;
      case 4: fn.inputs.push(str(r, wire, end, 'input')); return true;
      case 5: fn.outputs.push(str(r, wire, end, 'output')); return true;
      case 6: fn.attributes.push(str(r, wire, end, 'attribute')); return true;
      case 11: {
        r.expectWire(wire, WIRE_LEN, 'attribute_proto');
        const a = decodeAttribute(r, r.sub(end, 'attribute_proto'));
        fn.attributes.push(a.name);
        fn.attributeDefaults.push(a);
        return true;
      }
      case 7: r.expectWire(wire, WIRE_LEN, 'node'); fn.nodes.push(r.within(`node[${fn.nodes.length}]`, () => decodeNode(r, r.sub(end, 'node')))); return true;
      case 9: r.expectWire(wire, WIRE_LEN, 'opset_import'); decodeOpset(r, r.sub(end, 'opset_import'), fn.opsets); return true;
      default: return false;
    }
  });
  return fn;
}

export function decodeModel(r: ProtoReader): OnnxModel {
  const end = r.size;
  const m: OnnxModel = { irVersion: 0, opsets: Object.create(null), producer: '', graph: { name: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] }, functions: [] };
  let producerVersion = '';
  let sawGraph = false;
  r.message(end, (field, wire) => {
    switch (field) {
      case 1: m.irVersion = int(r, wire, 'ir_version'); return true;
      case 2: m.producer = str(r, wire, end, 'producer_name'); return true;
      case 3: producerVersion = str(r, wire, end, 'producer_version'); return true;
      case 7:
        r.expectWire(wire, WIRE_LEN, 'graph');
        m.graph = r.within('graph', () => decodeGraph(r, r.sub(end, 'graph')));
        sawGraph = true;
        return true;
      case 8: r.expectWire(wire, WIRE_LEN, 'opset_import'); r.within('opset_import', () => decodeOpset(r, r.sub(end, 'opset_import'), m.opsets)); return true;
      case 25: r.expectWire(wire, WIRE_LEN, 'functions'); m.functions.push(r.within(`functions[${m.functions.length}]`, () => decodeFunction(r, r.sub(end, 'functions')))); return true;
      default: return false;
    }
  });
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
