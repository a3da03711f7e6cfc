import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import type { Rng } from '../../src/util/rng.js';

/**
 * Mutations of real input files. Binary files (ONNX) get byte-level edits
 * (truncation, flips, inserted and deleted runs) and protocol-buffer edits
 * that keep the file parseable down to the edited field (a field deleted,
 * duplicated or moved; a varint set to an extreme; a length prefix changed
 * without its payload; a nested message edited in turn). Text files get
 * line and character edits, numbers swapped for extreme ones, and, for YAML,
 * structural edits of the document (a value replaced, a key deleted or
 * renamed, a list item duplicated). Every mutation is a pure function of the
 * input and the generator's state, so a seed reproduces it.
 */
export interface Mutated {
  data: Uint8Array;
  /** What was done, for the reproducer's name and the report. */
  what: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Numbers at the edges: zero, negatives, overflow to infinity, underflow, 2^31/2^32/2^53 boundaries, NaN, fractions. */
export const EXTREME_NUMBERS = ['0', '-1', '-0', '1e400', '-1e400', '1e-300', '1e9', '1e18', '4294967296', '2147483648', '9007199254740993', '99999999999', '0.5', '65537', '1e6', 'NaN', '.nan'];

// ---------------------------------------------------------------- bytes

function splice(b: Uint8Array, at: number, remove: number, insert: ArrayLike<number> = []): Uint8Array {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at), 0);
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

function randomBytes(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.int(256));
}

/** Where edits land: anywhere, or near the start or the end (headers, node lists and graph inputs/outputs sit there, weights in between). */
function position(rng: Rng, size: number): number {
  if (size === 0) return 0;
  const r = rng.int(3);
  if (r === 0) return rng.int(size);
  if (r === 1) return rng.int(Math.min(size, 4096));
  return size - 1 - rng.int(Math.min(size, 4096));
}

export function mutateBytes(b: Uint8Array, rng: Rng): Mutated {
  const at = position(rng, b.length);
  switch (rng.int(4)) {
    case 0: {
      const n = rng.int(b.length + 1);
      return { data: b.slice(0, n), what: `truncate-${n}` };
    }
    case 1: {
      const out = b.slice();
      const flips = 1 + rng.int(4);
      for (let k = 0; k < flips && out.length; k++) {
        const p = k === 0 ? at : position(rng, out.length);
        out[p] = out[p]! ^ (1 + rng.int(255));
      }
      return { data: out, what: `flip${flips}-${at}` };
    }
    case 2:
      return { data: splice(b, at, 0, randomBytes(rng, 1 + rng.int(8))), what: `insert-${at}` };
    default: {
      const n = 1 + rng.int(Math.min(64, Math.max(1, b.length - at)));
      return { data: splice(b, at, Math.min(n, b.length - at)), what: `delete-${at}+${n}` };
    }
  }
}

// ---------------------------------------------------------------- protocol buffers

interface Field {
  start: number;
  /** Start of the payload (after the tag, and after the length for wire type 2). */
  payload: number;
  end: number;
  field: number;
  wire: number;
}

function readVarint(b: Uint8Array, at: number, end: number): [value: number, next: number] | undefined {
  let v = 0;
  let scale = 1;
  for (let i = at; i < end && i < at + 10; i++) {
    v += (b[i]! & 0x7f) * scale;
    scale *= 128;
    if (b[i]! < 0x80) return [v, i + 1];
  }
  return undefined;
}

/** The fields of a message in b[start, end), or undefined when those bytes are not a well-formed message. */
function scanMessage(b: Uint8Array, start: number, end: number): Field[] | undefined {
  const fields: Field[] = [];
  let at = start;
  while (at < end) {
    const tag = readVarint(b, at, end);
    if (!tag || tag[0] < 8) return undefined;
    const wire = tag[0] % 8;
    const field = Math.floor(tag[0] / 8);
    let payload = tag[1];
    let next: number;
    if (wire === 0) {
      const v = readVarint(b, payload, end);
      if (!v) return undefined;
      next = v[1];
    } else if (wire === 1) next = payload + 8;
    else if (wire === 5) next = payload + 4;
    else if (wire === 2) {
      const len = readVarint(b, payload, end);
      if (!len) return undefined;
      payload = len[1];
      next = payload + len[0];
    } else return undefined;
    if (next > end) return undefined;
    fields.push({ start: at, payload, end: next, field, wire });
    at = next;
  }
  return fields;
}

function encodeVarint(v: bigint): number[] {
  let x = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    const byte = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x ? byte | 0x80 : byte);
  } while (x);
  return out;
}

function header(f: Field, b: Uint8Array, payloadLength?: number): number[] {
  const tag = [...b.subarray(f.start, readVarint(b, f.start, f.end)![1])];
  return payloadLength === undefined ? tag : [...tag, ...encodeVarint(BigInt(payloadLength))];
}

/** The values of a packed repeated varint field, or undefined when the payload is not one. */
function packedVarints(p: Uint8Array): bigint[] | undefined {
  const out: bigint[] = [];
  let v = 0n;
  let shift = 0n;
  for (const byte of p) {
    v |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if (shift > 70n) return undefined;
    if (byte < 0x80) {
      out.push(BigInt.asIntN(64, v));
      v = 0n;
      shift = 0n;
    }
  }
  return shift === 0n && out.length > 0 ? out : undefined;
}

const EXTREME_VARINTS = [0n, 1n, -1n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n, -(2n ** 63n), 100_000_000n, 65_536n];
const EXTREME_FLOATS = [NaN, Infinity, -Infinity, 0, -0, -1, 3.4e38, 1e-45];

function concat(parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One edit inside the message b[start, end); returns the message's new bytes and what was done. */
function editMessage(b: Uint8Array, start: number, end: number, fields: Field[], rng: Rng, depth: number, path: string): Mutated {
  const f = fields[rng.int(fields.length)]!;
  const before = b.subarray(start, f.start);
  const after = b.subarray(f.end, end);
  const own = b.subarray(f.start, f.end);
  const at = `${path}.${f.field}`;
  if (f.wire === 2 && depth < 8 && rng.int(3) !== 0) {
    const inner = scanMessage(b, f.payload, f.end);
    if (inner && inner.length) {
      const m = editMessage(b, f.payload, f.end, inner, rng, depth + 1, at);
      return { data: concat([before, header(f, b, m.data.length), m.data, after]), what: m.what };
    }
  }
  switch (rng.int(5)) {
    case 0:
      return { data: concat([before, after]), what: `pb-delete${at}` };
    case 1:
      return { data: concat([before, own, own, after]), what: `pb-duplicate${at}` };
    case 2: {
      // moved to the end of its message (field order is free in protobuf, but readers may assume one)
      return { data: concat([before, after, own]), what: `pb-move${at}` };
    }
    default:
      break;
  }
  if (f.wire === 0) {
    const v = EXTREME_VARINTS[rng.int(EXTREME_VARINTS.length)]!;
    return { data: concat([before, header(f, b), encodeVarint(v), after]), what: `pb-varint${at}=${v}` };
  }
  if (f.wire === 5 || f.wire === 1) {
    const v = EXTREME_FLOATS[rng.int(EXTREME_FLOATS.length)]!;
    const bytes = new Uint8Array(f.wire === 5 ? 4 : 8);
    const view = new DataView(bytes.buffer);
    if (f.wire === 5) view.setFloat32(0, v, true);
    else view.setFloat64(0, v, true);
    return { data: concat([before, header(f, b), bytes, after]), what: `pb-float${at}=${v}` };
  }
  const payload = b.subarray(f.payload, f.end);
  const packed = packedVarints(payload);
  if (packed && rng.int(2) === 0) {
    // one element of a packed list (an attribute's ints: kernel shape, strides, pads, dims) set to an extreme
    const i = rng.int(packed.length);
    const v = EXTREME_VARINTS[rng.int(EXTREME_VARINTS.length)]!;
    const list = concat(packed.map((x, k) => encodeVarint(k === i ? v : x)));
    return { data: concat([before, header(f, b, list.length), list, after]), what: `pb-packed${at}[${i}]=${v}` };
  }
  if (rng.int(2) === 0) {
    // the length prefix changed, the payload kept: the reader must notice the mismatch
    const lengths = [0, payload.length - 1, payload.length + 1, payload.length * 2 + 7, 2 ** 31, 2 ** 32 + payload.length];
    const n = lengths[rng.int(lengths.length)]!;
    return { data: concat([before, header(f, b, Math.max(0, n)), payload, after]), what: `pb-length${at}=${n}` };
  }
  // a string or packed payload cut, emptied, grown or filled with control characters
  const choices: Uint8Array[] = [payload.subarray(0, rng.int(payload.length + 1)), new Uint8Array(0), concat([payload, payload, payload]), enc.encode('\u001b[2J\u0000\u0007x')];
  const p = rng.int(choices.length);
  return { data: concat([before, header(f, b, choices[p]!.length), choices[p]!, after]), what: `pb-payload${p}${at}` };
}

export function mutateProtobuf(b: Uint8Array, rng: Rng): Mutated {
  const fields = scanMessage(b, 0, b.length);
  if (!fields || fields.length === 0) return mutateBytes(b, rng);
  return editMessage(b, 0, b.length, fields, rng, 0, '');
}

// ---------------------------------------------------------------- text

function lines(text: string): string[] {
  return text.split('\n');
}

export function mutateText(text: string, rng: Rng): Mutated {
  const ls = lines(text);
  const i = rng.int(ls.length);
  switch (rng.int(6)) {
    case 0: {
      const n = rng.int(text.length + 1);
      return { data: enc.encode(text.slice(0, n)), what: `truncate-${n}` };
    }
    case 1:
      return { data: enc.encode([...ls.slice(0, i), ...ls.slice(i + 1)].join('\n')), what: `delete-line-${i + 1}` };
    case 2:
      return { data: enc.encode([...ls.slice(0, i + 1), ...ls.slice(i)].join('\n')), what: `duplicate-line-${i + 1}` };
    case 3: {
      const at = rng.int(text.length + 1);
      const junk = [':', '-', '[', '{', '"', "'", '&a', '*a', '!!', '\t', ',', '#', '\u0000', '\u001b[31m', ' '][rng.int(15)]!;
      return { data: enc.encode(text.slice(0, at) + junk + text.slice(at + (rng.int(2) ? 1 : 0))), what: `chars-${at}` };
    }
    default: {
      // a number in the text replaced by an extreme one
      const numbers = [...text.matchAll(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi)];
      if (numbers.length === 0) return mutateText(text.slice(0, -1), rng);
      const m = numbers[rng.int(numbers.length)]!;
      const v = EXTREME_NUMBERS[rng.int(EXTREME_NUMBERS.length)]!;
      return { data: enc.encode(text.slice(0, m.index) + v + text.slice(m.index! + m[0].length)), what: `number-${m.index}=${v}` };
    }
  }
}

/** YAML: an edit of the document tree (tags, comments and the rest of the document kept), else a text edit. */
export function mutateYaml(text: string, rng: Rng): Mutated {
  if (rng.int(3) === 0) return mutateText(text, rng);
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) return mutateText(text, rng);
  try {
    return editYaml(doc, text, rng);
  } catch {
    // a document the library parses but cannot write back (an alias whose anchor a text edit removed)
    return mutateText(text, rng);
  }
}

function editYaml(doc: ReturnType<typeof parseDocument>, text: string, rng: Rng): Mutated {
  const paths: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    if (paths.length > 5000) return;
    if (path.length) paths.push(path);
    if (isMap(node)) for (const p of node.items) walk(p.value, [...path, isScalar(p.key) ? String(p.key.value) : String(p.key)]);
    else if (isSeq(node)) node.items.forEach((item, k) => walk(item, [...path, k]));
  };
  walk(doc.contents, []);
  if (paths.length === 0) return mutateText(text, rng);
  const path = paths[rng.int(paths.length)]!;
  const where = path.join('.');
  const parent = path.length > 1 ? (doc.getIn(path.slice(0, -1), true) as YamlNode) : doc.contents;
  const key = path[path.length - 1]!;
  const PLACEHOLDER = '__accelmap_fuzz_value__';
  switch (rng.int(5)) {
    case 0:
      doc.deleteIn(path);
      return { data: enc.encode(doc.toString()), what: `yaml-delete-${where}` };
    case 1:
      if (isSeq(parent) && typeof key === 'number') {
        parent.items.splice(key, 0, doc.createNode(doc.getIn(path)));
        return { data: enc.encode(doc.toString()), what: `yaml-duplicate-${where}` };
      }
      if (isMap(parent)) {
        const pair = parent.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === key);
        if (pair) pair.key = doc.createNode(`${key}_`);
        return { data: enc.encode(doc.toString()), what: `yaml-rename-${where}` };
      }
      break;
    default:
      break;
  }
  const values = [...EXTREME_NUMBERS, '""', '[]', '{}', 'null', 'true', '0KB', '1e400GB', '-5MHz', '0GB/s', 'x'.repeat(300), '[1, 2, 3]', '{ a: 1 }'];
  const v = values[rng.int(values.length)]!;
  doc.setIn(path, PLACEHOLDER);
  return { data: enc.encode(doc.toString().replace(PLACEHOLDER, v)), what: `yaml-set-${where}=${v.slice(0, 20)}` };
}

export function decodeText(b: Uint8Array): string {
  return dec.decode(b);
}
