import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTensorFile, writeTensorFile } from '../src/execute/tensor-files.js';
import { fromNumbers } from '../src/execute/value.js';
import { sharedDir } from '../src/util/shared.js';
import { cli, cliError, cliJson } from './cli-helpers.js';

describe('accelmap run', () => {
  it('runs a zoo model on seeded weights and inputs, deterministically, and writes its outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-'));
    const a = await cliJson('run', 'autoenc', '--seed', '4', '--json', '--outputs', join(dir, 'out.npz'));
    const b = await cliJson('run', 'autoenc', '--seed', '4', '--json');
    // the same results; only the command line stamped on them differs
    expect({ ...a, accelmap: undefined }).toEqual({ ...b, accelmap: undefined });
    const [name] = Object.keys(a.outputs);
    const written = readTensorFile(join(dir, 'out.npz'), [], '--outputs')[name!]!;
    expect(written.shape).toEqual(a.outputs[name!].shape);
    expect(Array.from(written.data.subarray(0, 8))).toEqual(a.outputs[name!].first);
    const c = await cliJson('run', 'autoenc', '--seed', '5', '--json');
    expect(c.outputs[name!].first).not.toEqual(a.outputs[name!].first);
  });

  it('reads inputs from a file under the inputs\' names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-'));
    const seeded = await cliJson('run', 'autoenc', '--json');
    const zeros = Object.fromEntries(Object.entries(seeded.inputs).map(([n, t]) => {
      const shape = (t as { shape: number[] }).shape;
      return [n, fromNumbers({ shape, dtype: 'float32' }, new Array(shape.reduce((p, d) => p * d, 1)).fill(0))];
    }));
    writeTensorFile(join(dir, 'in.npz'), zeros, '--inputs');
    const r = await cliJson('run', 'autoenc', '--inputs', join(dir, 'in.npz'), '--json');
    for (const n of Object.keys(zeros)) expect([r.inputs[n].min, r.inputs[n].max]).toEqual([0, 0]);
    expect(await cliError('run', 'autoenc', '--inputs', join(dir, 'in.npy'))).toMatch(/holds one tensor, the model has 2 inputs/);
    writeTensorFile(join(dir, 'wrong.npz'), { ...zeros, nope: Object.values(zeros)[0]! }, '--inputs');
    expect(await cliError('run', 'autoenc', '--inputs', join(dir, 'wrong.npz'))).toMatch(/'nope' is not an input/);
  });

  it('refuses what it cannot do in one line', async () => {
    expect(await cliError('run', 'autoenc', '--outputs', 'x.csv')).toMatch(/--outputs x.csv: unknown tensor file type/);
    expect(await cliError('run', 'autoenc', '--mode', 'train')).toMatch(/--mode/);
    expect(await cliError('run', 'autoenc', '--inputs', '/nonexistent/in.npz')).toMatch(/cannot read/);
  });

  it.skipIf(!existsSync(sharedDir('models')))('runs an ONNX file on its own weights', async () => {
    const r = await cli('run', sharedDir('models', 'squeezenet1_1.onnx'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).weights).toBe('model file');
  });
});
