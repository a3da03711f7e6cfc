import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliError, cliJson } from './cli-helpers.js';
import { decodeProgram } from '../src/targets/vta/isa.js';

describe('accelmap vta', () => {
  it('simulates a 16×16×16 dense layer and reports VTA counters', async () => {
    const json = await cliJson('vta', '--dense', '16x16x16', '--json');
    // 16 input vectors and one weight block of 256 bytes, outputs 256 bytes; 16 reset + 16 multiply micro-ops
    expect(json.counters).toMatchObject({ inpBytesLoaded: 256, wgtBytesLoaded: 256, outBytesStored: 256, gemmUops: 32 });
    expect(json.peakGops).toBeCloseTo(51.2, 10);
    const { code, out } = await cli('vta', '--dense', '16x16x16');
    expect(code).toBe(0);
    expect(out).toMatch(/GEMM micro-ops\s+32/);
  });

  it('writes the encoded program, micro-ops and listing with --out', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'accelmap-vta-')), 'prog');
    expect((await cli('vta', '--dense', '32x32x32', '--virtual-threads', '2', '--tile-rows', '8', '--out', dir)).code).toBe(0);
    const insns = decodeProgram(new Uint8Array(readFileSync(join(dir, 'program.bin'))));
    expect(insns.at(-1)!.op).toBe('finish');
    expect(readFileSync(join(dir, 'listing.txt'), 'utf8').split('\n').filter(Boolean)).toHaveLength(insns.length);
    expect(existsSync(join(dir, 'uops.bin'))).toBe(true);
  });

  it('writes a Chrome trace with one slice per instruction on its module with --trace', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'accelmap-vta-')), 't.json');
    expect((await cli('vta', '--dense', '16x16x16', '--trace', file)).code).toBe(0);
    const trace = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: { ph: string; tid?: number; name: string; dur?: number; args?: { startCycle?: number; endCycle?: number } }[] };
    const slices = trace.traceEvents.filter((e) => e.ph === 'X');
    // uop load, reset GEMM, GEMM and FINISH on compute (tid 2); input and weight loads on load (1); one store (3)
    expect(slices.map((e) => e.tid)).toEqual([2, 1, 1, 2, 2, 3, 2]);
    for (const e of slices) expect(e.dur).toBeCloseTo(((e.args!.endCycle! - e.args!.startCycle!) / 100e6) * 1e6, 9);
  });

  it('rejects bad flags with one line', async () => {
    expect(await cliError('vta', '--dense', '16x15x16')).toMatch(/k = 15 is not a positive multiple of 16/);
    expect(await cliError('vta', '--dense', '16x16x16', '--set', 'alu.lane=4')).toMatch(/did you mean alu.lanes/);
    expect(await cliError('vta', '--dense', '16x16')).toMatch(/--dense '16x16' is not MxKxN/);
  });
});
