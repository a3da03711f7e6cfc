import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeNpz } from '../src/execute/tensor-files.js';
import { cli, cliError, cliJson } from './cli-helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'accelmap-run-int-'));
// deepq at 36×36: conv1 8×8/4, conv2 4×4/2, conv3 3×3, flatten, fc4, fc5
const model = ['deepq', '--image-size', '36'];

interface Layer { name: string; precision: string; why: string; integer: boolean; inputCodes: { lo: number; hi: number }; weightCodes: { lo: number; hi: number; odd: boolean }; accumulatorBits: number; sqnrDb: number }

describe('accelmap run at an integer precision', () => {
  it('int4: first and last compute layers kept at int8 and said so, the rest int4; scales, host ops and agreement with fp32 reported; outputs written', async () => {
    const dir = tmp();
    const out = join(dir, 'y.npz');
    const r = await cliJson('run', ...model, '--precision', 'int4', '--outputs', out, '--json');
    const layers = r.integer.layers as Layer[];
    expect(layers.map((l) => [l.name, l.precision, l.why])).toEqual([
      ['conv1', 'int8', 'first/last kept at int8'],
      ['conv2', 'int4', 'default'],
      ['conv3', 'int4', 'default'],
      ['fc4', 'int4', 'default'],
      ['fc5', 'int8', 'first/last kept at int8'],
    ]);
    expect(layers.every((l) => l.integer && l.accumulatorBits === 32)).toBe(true);
    // conv2 reads conv1's ReLU output at conv2's 4 bits: unsigned [0, 15]; fc5 reads fc4's at its own 8 bits: [0, 255]
    expect(layers[1]!.inputCodes).toEqual({ lo: 0, hi: 15 });
    expect(layers[4]!.inputCodes).toEqual({ lo: 0, hi: 255 });
    // weights: int8 ±127 with a zero; int4 on SAWB's grid, odd codes ±1 … ±15
    expect(layers.map((l) => l.weightCodes)).toEqual([127, 15, 15, 15, 127].map((hi) => ({ lo: -hi, hi, odd: hi === 15 })));
    expect(r.integer.host).toEqual([{ name: 'flatten', op: 'Flatten', reason: 'moves values only (exact: requantized at the same scale)' }]);
    const a = r.integer.agreement[0];
    expect(a.name).toBe('fc5');
    // per-layer SQNR: every layer's output differs from fp32's; the last layer's output is the graph's
    expect(layers.every((l) => l.sqnrDb > 0 && Number.isFinite(l.sqnrDb))).toBe(true);
    expect(layers[4]!.sqnrDb).toBeCloseTo(a.sqnrDb, 9);
    expect(a.rows).toBe(1);
    expect(a.sqnrDb).toBeGreaterThan(0);
    const written = decodeNpz(new Uint8Array(readFileSync(out)), out);
    expect(Array.from(written.fc5!.data)).toEqual(r.outputs.fc5.first);
  });

  it('the text report says which layers stayed at int8, what ran dequantized and why, and the agreement with fp32', async () => {
    const r = await cli('run', ...model, '--precision', 'int2');
    expect(r.code).toBe(0);
    expect(r.out).toContain('deepq at int2');
    expect(r.out).toContain('the first and last compute layers stay at int8 (conv1, fc5)');
    expect(r.out).toMatch(/flatten\s+Flatten\s+moves values only/);
    // int2 weights: SAWB's odd codes {−3, −1, 1, 3}
    expect(r.out).toMatch(/conv2\s+Conv\s+int2\s.*odd \[-3, 3\]/);
    expect(r.out).toMatch(/fc5\s+\d+\.\d%\s+1\s/);
  });

  it('fewer bits, more error: output SQNR against fp32 falls from int8 to int2', async () => {
    const sqnr = async (p: string) => (await cliJson('run', ...model, '--precision', p, '--json')).integer.agreement[0].sqnrDb as number;
    const [i8, i2] = [await sqnr('int8'), await sqnr('int2')];
    expect(i8).toBeGreaterThan(i2);
  });

  it('--requantization shift: power-of-two scales and shifts, said so; fixed-point by default, with 31-bit multipliers', async () => {
    const fixed = await cliJson('run', ...model, '--precision', 'int8', '--json');
    const shift = await cliJson('run', ...model, '--precision', 'int8', '--requantization', 'shift', '--json');
    expect([fixed.integer.requantization, shift.integer.requantization]).toEqual(['fixed-point multiplier and shift', 'power-of-two shift']);
    for (const l of fixed.integer.layers) expect(l.multipliers.every((m: number) => m >= 2 ** 30 && m < 2 ** 31)).toBe(true);
    for (const l of shift.integer.layers) {
      expect(l.multipliers).toBeUndefined();
      expect([l.inputScale, l.outputScale, ...l.weightScales].every((s: number) => Number.isInteger(Math.log2(s)))).toBe(true);
    }
  });

  it('a plan file sets layers; first-last: same lets the ends go below 8 bits', async () => {
    const dir = tmp();
    const plan = join(dir, 'plan.yaml');
    writeFileSync(plan, 'precision: int2\nfirst-last: same\nlayers:\n  conv3: int8\n');
    const r = await cliJson('run', ...model, '--precision', 'int8', '--plan', plan, '--json');
    expect(r.precision).toBe('int2');
    expect((r.integer.layers as Layer[]).map((l) => [l.name, l.precision])).toEqual([['conv1', 'int2'], ['conv2', 'int2'], ['conv3', 'int8'], ['fc4', 'int2'], ['fc5', 'int2']]);
  });

  it('refuses bad flags and plans in one line', async () => {
    const dir = tmp();
    expect(await cliError('run', ...model, '--precision', 'int3')).toMatch(/--precision 'int3' is not one of fp32, int8, int4, int2/);
    const plan = join(dir, 'plan.yaml');
    writeFileSync(plan, 'layers:\n  flatten: int4\n');
    expect(await cliError('run', ...model, '--precision', 'int4', '--plan', plan)).toMatch(/layers\.flatten is not a compute layer of deepq/);
    expect(await cliError('run', ...model, '--plan', plan)).toMatch(/--plan needs an integer --precision/);
    expect(await cliError('run', ...model, '--requantization', 'shift')).toMatch(/--requantization needs an integer --precision/);
    expect(await cliError('run', ...model, '--precision', 'int8', '--requantization', 'float')).toMatch(/--requantization 'float' is not one of fixed-point, shift/);
    const half = join(dir, 'half.yaml');
    writeFileSync(half, 'layers:\n  conv2: fp16\n');
    expect(await cliError('run', ...model, '--precision', 'int8', '--plan', half)).toMatch(/layer conv2 is planned at fp16; an integer run takes int8, int4 or int2/);
  });
});
