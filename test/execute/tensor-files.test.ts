import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeNpy, decodeNpz, encodeNpy, encodeNpz, readTensorFile, writeTensorFile } from '../../src/execute/tensor-files.js';
import { encodeTensorProto } from '../../src/execute/tensor-proto.js';
import { fromNumbers } from '../../src/execute/value.js';
import { readTensorFile as readProtoTensor } from '../../src/workload/onnx/proto.js';
import { errorOf } from '../../src/util/test-util.js';

/** An .npy file written byte by byte as NumPy's format description says (version 1.0, little-endian float32). */
function handMadeNpy(): Uint8Array {
  const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  const padded = header + ' '.repeat(128 - 10 - header.length - 1) + '\n';
  const data = new Float32Array([1, -2, 3.5, 0, 1e-3, 7]);
  const out = new Uint8Array(128 + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, padded.length, 0]);
  out.set(new TextEncoder().encode(padded), 10);
  out.set(new Uint8Array(data.buffer), 128);
  return out;
}

describe('tensor files', () => {
  it('reads an .npy written by hand to the format', () => {
    const v = decodeNpy(handMadeNpy(), 'x.npy');
    expect(v.shape).toEqual([2, 3]);
    expect(v.dtype).toBe('float32');
    expect(Array.from(v.data)).toEqual([1, -2, 3.5, 0, Math.fround(1e-3), 7]);
  });

  it('writes .npy headers NumPy reads: 64-byte aligned, newline-terminated, 1-D shapes with a trailing comma', () => {
    const bytes = encodeNpy(fromNumbers({ shape: [3], dtype: 'int64' }, [5, -1, 2 ** 40]));
    const headerLen = bytes[8]! | (bytes[9]! << 8);
    expect((10 + headerLen) % 64).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLen));
    expect(header).toMatch(/^\{'descr': '<i8', 'fortran_order': False, 'shape': \(3,\), \} *\n$/);
    expect(Array.from(decodeNpy(bytes, 'x').data)).toEqual([5, -1, 2 ** 40]);
  });

  it('an .npz is a zip of name.npy entries', () => {
    const a = fromNumbers({ shape: [2], dtype: 'float32' }, [1, 2]);
    const b = fromNumbers({ shape: [], dtype: 'bool' }, [1]);
    const zip = encodeNpz({ logits: a, 'mask.x': b });
    expect(Object.keys(unzipSync(zip)).sort()).toEqual(['logits.npy', 'mask.x.npy']);
    const back = decodeNpz(zip, 'x.npz');
    expect(Array.from(back.logits!.data)).toEqual([1, 2]);
    expect(back['mask.x']!.shape).toEqual([]);
  });

  it('a TensorProto it writes is read back by the ONNX reader', () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-'));
    const file = join(dir, 'out.pb');
    writeFileSync(file, encodeTensorProto('y', fromNumbers({ shape: [2, 2], dtype: 'float32' }, [0.5, -1, 3, 4])));
    const t = readProtoTensor(file);
    expect([t.name, t.dims, t.dtype, t.value]).toEqual(['y', [2, 2], 'float32', [0.5, -1, 3, 4]]);
  });

  it('one file per format; bad files and names are user errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-'));
    const v = fromNumbers({ shape: [1], dtype: 'float32' }, [2]);
    writeTensorFile(join(dir, 'a.npy'), { y: v }, '--outputs');
    expect(Array.from(readTensorFile(join(dir, 'a.npy'), ['x'], '--inputs').x!.data)).toEqual([2]);
    expect(errorOf(() => writeTensorFile(join(dir, 'a.npy'), { y: v, z: v }, '--outputs')).message).toMatch(/2 outputs.*\.npy holds one/);
    expect(errorOf(() => writeTensorFile(join(dir, 'a.csv'), { y: v }, '--outputs')).code).toBe('bad-flag');
    const fortran = new TextDecoder('latin1').decode(handMadeNpy()).replace('False', 'True ');
    writeFileSync(join(dir, 'f.npy'), Uint8Array.from(fortran, (c) => c.charCodeAt(0)));
    expect(errorOf(() => readTensorFile(join(dir, 'f.npy'), ['x'], '--inputs')).message).toMatch(/Fortran/);
    writeFileSync(join(dir, 'bad.npz'), 'not a zip');
    expect(errorOf(() => readTensorFile(join(dir, 'bad.npz'), ['x'], '--inputs')).code).toBe('bad-file');
    expect(readFileSync(join(dir, 'a.npy')).length).toBeGreaterThan(0);
  });
});
