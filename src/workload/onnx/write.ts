import { closeSync, openSync, writeSync } from 'node:fs';
import { writeAtomically } from '../../util/files.js';
import { bytesFor, type DType } from '../dtype.js';
import { dtypeOfCode, type OnnxAttribute, type OnnxFunction, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './proto.js';
import { WIRE_FIXED32, WIRE_LEN, WIRE_VARINT } from './wire.js';

/**
 * Writes the onnx.proto subset that proto.ts reads. Tensors with a value
 * are stored as raw data; tensors with neither a value nor external data are
 * weights whose bytes are produced at write time (a deterministic pattern),
 * so a file of any size is written in bounded memory. Used to generate
 * benchmark models and test inputs.
 */
type Segment = Uint8Array | { fill: number };

/** A protobuf message under construction: its fields' bytes, in order. */
export class Message {
  readonly parts: Segment[] = [];
  length = 0;

  private push(s: Segment): void {
    this.parts.push(s);
    this.length += s instanceof Uint8Array ? s.length : s.fill;
  }

  private raw(bytes: number[]): void {
    this.push(Uint8Array.from(bytes));
  }

  private tag(field: number, wire: number): void {
    this.raw(varint(field * 8 + wire));
  }

  int(field: number, v: number): this {
    this.tag(field, WIRE_VARINT);
    this.raw(varint(v));
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.raw(varint(b.length));
    this.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  ints(field: number, vs: number[]): this {
    const body = vs.flatMap(varint);
    this.tag(field, WIRE_LEN);
    this.raw(varint(body.length));
    this.raw(body);
    return this;
  }

  floats(field: number, vs: number[]): this {
    const b = new Uint8Array(4 * vs.length);
    const dv = new DataView(b.buffer);
    vs.forEach((v, i) => dv.setFloat32(4 * i, v, true));
    return this.bytes(field, b);
  }

  message(field: number, m: Message): this {
    this.tag(field, WIRE_LEN);
    this.raw(varint(m.length));
    for (const p of m.parts) this.push(p);
    return this;
  }

  /** A bytes field whose `n` bytes are generated when written. */
  fill(field: number, n: number): this {
    this.tag(field, WIRE_LEN);
    this.raw(varint(n));
    if (n) this.push({ fill: n });
    return this;
  }
}

/** Varint bytes of an int64 (negative numbers as 10-byte two's complement). */
export function varint(v: number): number[] {
  let x = BigInt.asUintN(64, BigInt(Math.trunc(v)));
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x) b |= 0x80;
    out.push(b);
  } while (x);
  return out;
}

const CODES = new Map<DType, number>();
for (let c = 1; dtypeOfCode(c); c++) CODES.set(dtypeOfCode(c)!, c);

export function dtypeCode(d: DType): number {
  const c = CODES.get(d);
  if (c === undefined) throw new Error(`no ONNX code for ${d}`);
  return c;
}

/** Little-endian raw bytes of a value (numeric types of 8 bits and more, and 4-bit integers). */
function rawBytes(value: number[], d: DType): Uint8Array {
  const b = new Uint8Array(bytesFor(value.length, d));
  const dv = new DataView(b.buffer);
  value.forEach((v, i) => {
    switch (d) {
      case 'float32': return dv.setFloat32(4 * i, v, true);
      case 'float64': return dv.setFloat64(8 * i, v, true);
      case 'int8': return dv.setInt8(i, v);
      case 'uint8': case 'bool': return dv.setUint8(i, v);
      case 'int16': return dv.setInt16(2 * i, v, true);
      case 'uint16': return dv.setUint16(2 * i, v, true);
      case 'int32': return dv.setInt32(4 * i, v, true);
      case 'uint32': return dv.setUint32(4 * i, v, true);
      case 'int64': return dv.setBigInt64(8 * i, BigInt(v), true);
      case 'uint64': return dv.setBigUint64(8 * i, BigInt(v), true);
      case 'int4': case 'uint4': b[i >> 1] = b[i >> 1]! | ((v & 0xf) << ((i & 1) * 4)); return;
      default: throw new Error(`cannot write values of ${d}`);
    }
  });
  return b;
}

function tensorMessage(t: OnnxTensor): Message {
  const m = new Message();
  if (t.dims.length) m.ints(1, t.dims);
  m.int(2, t.dataType || dtypeCode(t.dtype!));
  if (t.name) m.string(8, t.name);
  const d = t.dtype ?? dtypeOfCode(t.dataType)!;
  if (t.external) {
    const kv: [string, string][] = [['location', t.external.location], ['offset', String(t.external.offset)]];
    if (t.external.length !== undefined) kv.push(['length', String(t.external.length)]);
    for (const [k, v] of kv) m.message(13, new Message().string(1, k).string(2, v));
    m.int(14, 1);
  } else if (t.value) m.bytes(9, rawBytes(t.value, d));
  else m.fill(9, bytesFor(t.dims.reduce((p, x) => p * x, 1), d));
  return m;
}

function attributeMessage(a: OnnxAttribute): Message {
  const m = new Message().string(1, a.name);
  if (a.refAttrName) m.string(21, a.refAttrName);
  const codes: Record<string, number> = { float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7, strings: 8, tensors: 9, graphs: 10 };
  if (codes[a.type] !== undefined) m.int(20, codes[a.type]!);
  if (a.f !== undefined) m.float(2, a.f);
  if (a.i !== undefined) m.int(3, a.i);
  if (a.s !== undefined) m.string(4, a.s);
  if (a.t) m.message(5, tensorMessage(a.t));
  if (a.g) m.message(6, graphMessage(a.g));
  if (a.floats) m.floats(7, a.floats);
  if (a.ints) m.ints(8, a.ints);
  for (const s of a.strings ?? []) m.string(9, s);
  for (const t of a.tensors ?? []) m.message(10, tensorMessage(t));
  for (const g of a.graphs ?? []) m.message(11, graphMessage(g));
  return m;
}

function nodeMessage(n: OnnxNode): Message {
  const m = new Message();
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  if (n.name) m.string(3, n.name);
  m.string(4, n.opType);
  for (const a of n.attributes) m.message(5, attributeMessage(a));
  if (n.domain) m.string(7, n.domain);
  return m;
}

function valueInfoMessage(vi: OnnxValueInfo): Message {
  const m = new Message().string(1, vi.name);
  if (vi.typeKind !== 'tensor') return m;
  const tensor = new Message();
  if (vi.dtype) tensor.int(1, dtypeCode(vi.dtype));
  if (vi.shape) {
    const shape = new Message();
    for (const d of vi.shape) {
      const dim = new Message();
      if (d.value !== undefined) dim.int(1, d.value);
      if (d.param !== undefined) dim.string(2, d.param);
      shape.message(1, dim);
    }
    tensor.message(2, shape);
  }
  return m.message(2, new Message().message(1, tensor));
}

function graphMessage(g: OnnxGraph): Message {
  const m = new Message();
  for (const n of g.nodes) m.message(1, nodeMessage(n));
  if (g.name) m.string(2, g.name);
  for (const t of g.initializers) m.message(5, tensorMessage(t));
  for (const vi of g.inputs) m.message(11, valueInfoMessage(vi));
  for (const vi of g.outputs) m.message(12, valueInfoMessage(vi));
  for (const vi of g.valueInfo) m.message(13, valueInfoMessage(vi));
  return m;
}

function opsetMessage(domain: string, version: number): Message {
  const o = new Message();
  if (domain) o.string(1, domain);
  return o.int(2, version);
}

function functionMessage(f: OnnxFunction): Message {
  const m = new Message().string(1, f.name);
  for (const i of f.inputs) m.string(4, i);
  for (const o of f.outputs) m.string(5, o);
  for (const a of f.attributes) if (!f.attributeDefaults.some((d) => d.name === a)) m.string(6, a);
  for (const n of f.nodes) m.message(7, nodeMessage(n));
  for (const [domain, version] of Object.entries(f.opsets)) m.message(9, opsetMessage(domain, version));
  if (f.domain) m.string(10, f.domain);
  for (const d of f.attributeDefaults) m.message(11, attributeMessage(d));
  return m;
}

function modelMessage(model: OnnxModel): Message {
  const m = new Message().int(1, model.irVersion);
  if (model.producer) m.string(2, model.producer);
  m.message(7, graphMessage(model.graph));
  for (const [domain, version] of Object.entries(model.opsets)) m.message(8, opsetMessage(domain, version));
  for (const f of model.functions) m.message(25, functionMessage(f));
  return m;
}

/** Deterministic filler for generated weight bytes (small, non-zero floats). */
function fillBytes(into: Uint8Array, n: number): Uint8Array {
  for (let i = 0; i < n; i++) into[i] = (i & 3) === 3 ? 0x3c : (i * 37) & 0xff;
  return into.subarray(0, n);
}

/** The serialized model in memory (for small models). */
export function encodeModel(model: OnnxModel): Uint8Array {
  return encodeMessage(modelMessage(model));
}

/** A message's bytes in memory (generated fills included). */
export function encodeMessage(m: Message): Uint8Array {
  const out = new Uint8Array(m.length);
  let at = 0;
  for (const p of m.parts) {
    const bytes = p instanceof Uint8Array ? p : fillBytes(new Uint8Array(p.fill), p.fill);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/** Writes the model to a file, generating weight bytes in bounded chunks; returns the file size. */
export function writeModelFile(path: string, model: OnnxModel): number {
  const m = modelMessage(model);
  const chunk = new Uint8Array(1 << 20);
  writeAtomically(path, 'ONNX model', (temporary) => {
    const fd = openSync(temporary, 'w');
    try {
      for (const p of m.parts) {
        if (p instanceof Uint8Array) writeSync(fd, p);
        else for (let left = p.fill; left > 0; left -= chunk.length) writeSync(fd, fillBytes(chunk, Math.min(left, chunk.length)));
      }
    } finally {
      closeSync(fd);
    }
  });
  return m.length;
}
