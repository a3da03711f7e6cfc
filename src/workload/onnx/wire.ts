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

/** Bytes read from the file at a time (small: after each skipped weight the window is refilled). */
const WINDOW_BYTES = 1 << 16;
/** Longest string or byte field the reader materializes. */
export const MAX_MATERIALIZED_BYTES = 1 << 24;
/** Deepest message nesting accepted (subgraphs inside attributes recurse). */
const MAX_DEPTH = 64;

/**
 * Where the bytes come from: `read` copies up to `length` bytes at `offset`
 * into `into` and returns how many it copied; a source already in memory
 * offers all its bytes as `all` instead of being copied.
 */
export interface ByteSource {
  readonly size: number;
  readonly all?: Uint8Array;
  read(into: Uint8Array, offset: number, length: number): number;
  close(): void;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    all: bytes,
    read(into, offset, length) {
      const n = Math.max(0, Math.min(length, bytes.length - offset));
      into.set(bytes.subarray(offset, offset + n));
      return n;
    },
    close() {},
  };
}

function ioError(path: string, action: string, e: unknown): AccelmapError {
  return new AccelmapError('io', `cannot ${action}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file: path });
}

export function fileSource(path: string): ByteSource {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw ioError(path, 'open', e);
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new AccelmapError('io', 'is not a file', { file: path });
  }
  return {
    size: stat.size,
    read(into, offset, length) {
      try {
        return readSync(fd, into, 0, length, offset);
      } catch (e) {
        throw ioError(path, 'read', e);
      }
    },
    close: () => closeSync(fd),
  };
}

export class ProtoReader {
  /** Absolute position of the next byte. */
  pos = 0;
  private buf: Buffer;
  /** Absolute offset of buf[0] and the number of valid bytes in buf. */
  private bufStart = 0;
  private bufLen = 0;
  private readonly path: string[] = [];
  private readonly whole: boolean;

  constructor(
    private readonly source: ByteSource,
    private readonly file: string,
  ) {
    this.whole = source.all !== undefined || source.size <= WINDOW_BYTES;
    if (source.all) {
      this.buf = Buffer.from(source.all.buffer, source.all.byteOffset, source.all.byteLength);
      this.bufLen = source.size;
    } else {
      this.buf = Buffer.alloc(Math.min(WINDOW_BYTES, Math.max(16, source.size)));
      if (this.whole) this.bufLen = source.read(this.buf, 0, source.size);
    }
  }

  get size(): number {
    return this.source.size;
  }

  /** An AccelmapError for corrupt content at the current position. */
  corrupt(message: string): AccelmapError {
    const where = this.path.length ? ` in ${this.path.join('.')}` : '';
    return new AccelmapError('bad-file', `truncated or corrupt ONNX file: ${message} at byte ${this.pos}${where}`, { file: this.file }, 'the file is damaged or not an ONNX model; re-export or re-download it');
  }

  /** Enters a nested message named `name` (shown in errors); `leave` when done. An error thrown inside keeps the path. */
  enter(name: string): void {
    if (this.path.length >= MAX_DEPTH) throw this.corrupt(`messages nested more than ${MAX_DEPTH} deep`);
    this.path.push(name);
  }

  leave(): void {
    this.path.pop();
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
      return new Uint8Array(this.buf.subarray(i, i + n));
    }
    const out = new Uint8Array(n);
    if (this.source.read(out, this.pos, n) !== n) throw this.corrupt('unexpected end of file');
    this.pos += n;
    return out;
  }

  string(n: number): string {
    if (n > this.buf.length) return Buffer.from(this.bytes(n)).toString('utf8');
    this.fill(n);
    const i = this.pos - this.bufStart;
    this.pos += n;
    // short ASCII names (most of a model's strings) without a call into the decoder
    if (n <= 64) {
      let text = '';
      for (let k = i; k < i + n; k++) {
        const c = this.buf[k]!;
        if (c >= 0x80) return this.buf.toString('utf8', i, i + n);
        text += String.fromCharCode(c);
      }
      return text;
    }
    return this.buf.toString('utf8', i, i + n);
  }

  /** Moves past `n` bytes without reading them. */
  skipBytes(n: number): void {
    if (this.pos + n > this.source.size) throw this.corrupt('unexpected end of file');
    this.pos += n;
  }

  /** Skips the value of the field `next` read, staying within `end`. */
  skip(end: number): void {
    switch (this.wire) {
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
        throw this.corrupt(`unsupported wire type ${this.wire}`);
    }
    if (this.pos > end) throw this.corrupt('a field runs past the end of its message');
  }

  /** Field number and wire type of the field `next` read. */
  field = 0;
  wire = 0;

  /**
   * Reads the next field's tag of a message ending at `end` into `field` and
   * `wire`; false at the end. The caller consumes the value, or `skip`s it.
   */
  next(end: number): boolean {
    if (this.pos > end) throw this.corrupt(`field ${this.field} runs past the end of its message`);
    if (this.pos === end) return false;
    const tag = this.varint();
    this.field = Math.floor(tag / 8);
    this.wire = tag & 7;
    if (tag < 8 || this.field > 0x1fffffff) throw this.corrupt(`invalid field tag ${tag}`);
    return true;
  }

  /** The end offset of a length-delimited field's value that starts at the current position. */
  sub(end: number, what: string): number {
    const n = this.length(end, what);
    return this.pos + n;
  }

  /** Expects a wire type for the known field `next` read. */
  expect(expected: number, name: string): void {
    if (this.wire !== expected) throw this.corrupt(`field ${name} has wire type ${this.wire}, expected ${expected}`);
  }
}
