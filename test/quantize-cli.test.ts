import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliError, cliJson } from './cli-helpers.js';

interface Layer { name: string; precision: string; sqnrDb: number | null; why: string }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('accelmap quantize', () => {
  it('reports per-layer SQNR falling with the bits, first and last layers kept at int8 below 8 bits', async () => {
    const fp32 = await cliJson('quantize', 'deepq', '--precision', 'fp32', '--json');
    expect(fp32.layers.every((l: Layer) => l.sqnrDb === null)).toBe(true); // identical: infinite SQNR
    expect(fp32.outputs[0].top1Agreement).toBe(1);
    const int8 = await cliJson('quantize', 'deepq', '--precision', 'int8', '--calibrate', '1', '--json');
    const int4 = await cliJson('quantize', 'deepq', '--precision', 'int4', '--calibrate', '1', '--json');
    const inner = (r: { layers: Layer[] }) => r.layers.slice(1, -1).map((l) => l.sqnrDb!);
    // about 6 dB per bit: 4 bits fewer should cost well over 12 dB on the inner layers
    expect(median(inner(int8)) - median(inner(int4))).toBeGreaterThan(12);
    // 8-bit uniform quantization of a layer's inputs: 30–50 dB
    expect(median(inner(int8))).toBeGreaterThan(30);
    expect(int4.layers[0].precision).toBe('int8');
    expect(int4.layers.at(-1).precision).toBe('int8');
    expect(int4.layers[1].precision).toBe('int4');
    expect(int4.weightBytes).toBeLessThan(int8.weightBytes);
    expect(int8.weightBytesFp32 / int8.weightBytes).toBe(4);
  });

  it('takes per-layer precisions from a plan file and rejects a bad one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-'));
    const plan = join(dir, 'plan.yaml');
    writeFileSync(plan, 'precision: int4\nfirst-last: same\nlayers:\n  conv2: bf16\n');
    const r = await cliJson('quantize', 'deepq', '--plan', plan, '--json');
    expect(r.layers.map((l: Layer) => l.precision)).toEqual(['int4', 'bf16', 'int4', 'int4', 'int4']);
    expect(r.layers[1].why).toBe('plan file');
    const text = await cli('quantize', 'deepq', '--precision', 'int2');
    expect(text.out).toMatch(/first and last compute layers stay at int8 \(conv1, fc5\)/);
    writeFileSync(plan, 'layers:\n  nope: int8\n');
    expect(await cliError('quantize', 'deepq', '--plan', plan)).toMatch(/layers\.nope is not a compute layer/);
    writeFileSync(plan, 'layers:\n  conv2: int3\n');
    expect(await cliError('quantize', 'deepq', '--plan', plan)).toMatch(/layers\.conv2 'int3' is not a precision/);
    expect(await cliError('quantize', 'deepq', '--precision', 'int3')).toMatch(/--precision 'int3'/);
  });

  it('--demo: trains on MNIST and reports fp32, ptq and qat rows (a short run), with an HTML chart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-'));
    const out = join(dir, 'chart.html');
    const r = await cliJson('quantize', '--demo', '--steps', '4', '--qat-steps', '2', '--train-images', '40', '--test-images', '50', '--json', '--out', out);
    expect(r.rows.map((x: { method: string; bits: number }) => `${x.method}${x.bits}`)).toEqual(['fp3232', 'ptq8', 'ptq4', 'ptq2', 'qat4', 'qat2']);
    for (const row of r.rows) expect(row.accuracy >= 0 && row.accuracy <= 1).toBe(true);
    expect(readFileSync(out, 'utf8')).toMatch(/PACT \+ SAWB \(QAT\) 2-bit/);
    expect(await cliError('quantize')).toMatch(/needs a model \(or --demo\)/);
  });
});
