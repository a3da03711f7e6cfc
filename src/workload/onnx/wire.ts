import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { AccelmapError } from '../../util/errors.js';

/**
 * Protocol-buffer wire format, read lazily. A `ProtoReader` walks a byte
 * source (a file through a descriptor with a bounded window, or a buffer)
 * field by field; length-delimited fields the caller does not need (weight
 * bytes, doc strings) are skipped by moving the position, never read. Every
 * length is checked against the enclosing message before it is used, so a
 * corrupt file can neither read past its end nor make the reader allocate
 * more than the caps below.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

/** Bytes read from the file at a time. */
const WINDOW_BYTES = 1 << 20;
/** Longest string or byte field the reader materializes. */
export const MAX_MATERIALIZED_BYTES = 1 << 24;
/** Deepest message nesting accepted (subgraphs inside attributes recurse). */
const MAX_DEPTH = 64;

/** Where the bytes come from: `read` copies up to `length` bytes at `offset` into `into` and returns how many it copied. */
export interface ByteSource {
  readonly size: number;
  read(into: Uint8Array, offset: number, length: number): number;
  close(): void;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(into, offset, length) {
      const n = Math.max(0, Math.min(length, bytes.length - offset));
      into.set(bytes.subarray(offset, offset + n));
      return n;
    },
    close() {},
  };
}

export function fileSource(path: string): ByteSource {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new AccelmapError('io', `cannot open: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file: path });
  }
  const size = fstatSync(fd).size;
  return {
    size,
    read: (into, offset, length) => readSync(fd, into, 0, length, offset),
    close: () => closeSync(fd),
  };
}

export class ProtoReader {
  /** Absolute position of the next byte. */
  pos = 0;
  private buf: Uint8Array;
  /** Absolute offset of buf[0] and the number of valid bytes in buf. */
  private bufStart = 0;
  private bufLen = 0;
  private readonly path: string[] = [];
  private readonly whole: boolean;

  constructor(
    private readonly source: ByteSource,
    private readonly file: string,
  ) {
    this.whole = source.size <= WINDOW_BYTES;
    this.buf = new Uint8Array(Math.min(WINDOW_BYTES, Math.max(16, source.size)));
    if (this.whole) this.bufLen = source.read(this.buf, 0, source.size);
  }

  get size(): number {
    return this.source.size;
  }

  /** An AccelmapError for corrupt content at the current position. */
  corrupt(message: string): AccelmapError {
    const where = this.path.length ? ` in ${this.path.join('.')}` : '';
    return new AccelmapError('bad-file', `truncated or corrupt ONNX file: ${message} at byte ${this.pos}${where}`, { file: this.file }, 'the file is damaged or not an ONNX model; re-export or re-download it');
  }

  /** Runs `fn` with `name` on the path shown in errors. */
  within<T>(name: string, fn: () => T): T {
    if (this.path.length >= MAX_DEPTH) throw this.corrupt(`messages nested more than ${MAX_DEPTH} deep`);
    this.path.push(name);
    try {
      return fn();
    } finally {
      this.path.pop();
    }
  }

  /** Makes bytes [pos, pos + n) available in the window (n ≤ window size). */
  private fill(n: number): void {
    if (this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.bufLen) return;
    if (this.pos + n > this.source.size) throw this.corrupt('unexpected end of file');
    if (this.whole) throw new Error('ProtoReader: window out of sync');
    this.bufStart = this.pos;
    this.bufLen = this.source.read(this.buf, this.pos, Math.min(this.buf.length, this.source.size - this.pos));
    if (this.bufLen < n) throw this.corrupt('unexpected end of file');
  }

  private byte(): number {
    const i = this.pos - this.bufStart;
    if (i < 0 || i >= this.bufLen) this.fill(1);
    return this.buf[this.pos++ - this.bufStart]!;
  }

  /** A varint as a JavaScript number: int64 two's complement read as signed (exact within ±2^53). */
  varint(): number {
    const b0 = this.byte();
    if (b0 < 0x80) return b0;
    let lo = b0 & 0x7f;
    let shift = 7;
    let b = 0;
    // low 28 bits
    for (; shift < 28; shift += 7) {
      b = this.byte();
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) return lo;
    }
    // byte 4 straddles the two 32-bit halves
    b = this.byte();
    lo = (lo | ((b & 0x0f) << 28)) >>> 0;
    let hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (shift = 3; ; shift += 7) {
        if (shift > 31) throw this.corrupt('varint longer than 10 bytes');
        b = this.byte();
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    return (hi | 0) * 4294967296 + lo;
  }

  /** A varint length whose bytes must fit before `end` (the enclosing message's end). */
  length(end: number, what: string): number {
    const n = this.varint();
    if (n < 0 || n > end - this.pos) throw this.corrupt(`${what} of ${n} bytes runs past the end of its message (${end - this.pos} bytes left)`);
    return n;
  }

  fixed32(): number {
    this.fill(4);
    const i = this.pos - this.bufStart;
    this.pos += 4;
    return (this.buf[i]! | (this.buf[i + 1]! << 8) | (this.buf[i + 2]! << 16) | (this.buf[i + 3]! << 24)) >>> 0;
  }

  float32(): number {
    this.fill(4);
    const i = this.pos - this.bufStart;
    this.pos += 4;
    return new DataView(this.buf.buffer, this.buf.byteOffset + i, 4).getFloat32(0, true);
  }

  float64(): number {
    this.fill(8);
    const i = this.pos - this.bufStart;
    this.pos += 8;
    return new DataView(this.buf.buffer, this.buf.byteOffset + i, 8).getFloat64(0, true);
  }

  /** Copies `n` bytes (n ≤ MAX_MATERIALIZED_BYTES, checked by the caller against its message end). */
  bytes(n: number): Uint8Array {
    if (n > MAX_MATERIALIZED_BYTES) throw this.corrupt(`a field of ${n} bytes is too long to read`);
    if (n <= this.buf.length) {
      this.fill(n);
      const i = this.pos - this.bufStart;
      this.pos += n;
      return this.buf.slice(i, i + n);
    }
    const out = new Uint8Array(n);
    if (this.source.read(out, this.pos, n) !== n) throw this.corrupt('unexpected end of file');
    this.pos += n;
    return out;
  }

  string(n: number): string {
    return Buffer.from(this.bytes(n)).toString('utf8');
  }

  /** Moves past `n` bytes without reading them. */
  skipBytes(n: number): void {
    if (this.pos + n > this.source.size) throw this.corrupt('unexpected end of file');
    this.pos += n;
  }

  /** Skips a field's value of the given wire type, staying within `end`. */
  skip(wire: number, end: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        break;
      case WIRE_FIXED64:
        this.skipBytes(8);
        break;
      case WIRE_FIXED32:
        this.skipBytes(4);
        break;
      case WIRE_LEN:
        this.skipBytes(this.length(end, 'a field'));
        break;
      default:
        throw this.corrupt(`unsupported wire type ${wire}`);
    }
    if (this.pos > end) throw this.corrupt('a field runs past the end of its message');
  }

  /**
   * Reads the fields of a message ending at `end`, calling `onField` for each
   * (field number, wire type); `onField` consumes the value and returns true,
   * or returns false to have it skipped.
   */
  message(end: number, onField: (field: number, wire: number) => boolean): void {
    while (this.pos < end) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (tag < 8 || field > 0x1fffffff) throw this.corrupt(`invalid field tag ${tag}`);
      if (!onField(field, wire)) this.skip(wire, end);
      if (this.pos > end) throw this.corrupt(`field ${field} runs past the end of its message`);
    }
  }

  /** The end offset of a length-delimited field's value that starts at the current position. */
  sub(end: number, what: string): number {
    const n = this.length(end, what);
    return this.pos + n;
  }

  /** Expects a wire type for a known field. */
  expectWire(wire: number, expected: number, field: string): void {
    if (wire !== expected) throw this.corrupt(`field ${field} has wire type ${wire}, expected ${expected}`);
  }
}
