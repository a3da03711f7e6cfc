import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../util/test-util.js';
import { ProtoReader, bufferSource } from './wire.js';
import { varint } from './write.js';

const reader = (bytes: number[]) => new ProtoReader(bufferSource(Uint8Array.from(bytes)), 'x.onnx');

describe('varints', () => {
  it('round-trip every safe integer, negatives as 10-byte two\'s complement', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger().filter((v) => v >= Number.MIN_SAFE_INTEGER), (v) => {
        const bytes = varint(v);
        expect(bytes.length).toBe(v < 0 ? 10 : Math.max(1, Math.ceil(Math.log2(v + 1) / 7)));
        const r = reader(bytes);
        expect(r.varint()).toBe(v);
        expect(r.pos).toBe(bytes.length);
      }),
    );
  });

  it('match hand-encoded bytes', () => {
    expect(varint(300)).toEqual([0xac, 0x02]);
    expect(varint(-1)).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(reader([0x96, 0x01]).varint()).toBe(150);
  });

  it('refuse an 11-byte varint and a truncated one', () => {
    const cases: [number[], string][] = [
      // ten bytes with the continuation bit set: the 11th would be needed, and varints stop at 10
      [new Array(10).fill(0xff).concat([0x01]), 'varint longer than 10 bytes at byte 10'],
      // two continuation bytes and then nothing
      [[0x80, 0x80], 'unexpected end of file at byte 2'],
    ];
    for (const [bytes, message] of cases) expect(errorOf(() => reader(bytes).varint()).message).toBe(`truncated or corrupt ONNX file: ${message}`);
  });
});

describe('length-delimited fields', () => {
  it('refuse a length that runs past the enclosing message', () => {
    const r = reader([0x0a, 0x05, 1, 2, 3]);
    expect(() => {
      while (r.next(5)) r.skip(5);
    }).toThrow(/runs past the end of its message/);
  });

  it('skip unknown fields of every wire type', () => {
    // field 1 varint, field 2 fixed64, field 3 bytes, field 4 fixed32, then field 5 varint = 7
    const bytes = [0x08, 0x96, 0x01, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x1a, 0x02, 9, 9, 0x25, 1, 2, 3, 4, 0x28, 0x07];
    const r = reader(bytes);
    let seen = -1;
    while (r.next(bytes.length)) {
      if (r.field === 5) seen = r.varint();
      else r.skip(bytes.length);
    }
    expect(seen).toBe(7);
  });
});
