import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliError } from './cli-helpers.js';
import { packageRoot } from '../src/util/paths.js';

/**
 * Inputs found by mutating real models, specs and flags that once ended in a
 * stack trace, an out-of-memory abort, a hang or a silently wrong number.
 * Each must now end in one clear line and exit code 2.
 */
const fixture = (...p: string[]) => join(packageRoot(), 'test', 'fixtures', 'reliability', ...p);

describe('ONNX files that crashed the importer', () => {
  it.each(['fuzz-min/2989.onnx', 'fuzz-min/39758.onnx', 'fuzz-min/66284.onnx', 'fuzz-min/99362.onnx', 'scan-undefined-input.onnx', 'fuzz-min/17362.onnx'])(
    '%s: a Scan input naming a missing tensor',
    async (f) => {
      expect(await cliError('profile', fixture(f))).toMatch(/node Scan_0: input '[^']*' is produced by no earlier node/);
    },
  );

  it.each([
    ['fuzz-min/43319.onnx', []],
    ['fuzz-min/35766.onnx', []],
    ['split-num-outputs-4294967296.onnx', []],
    ['split-num-outputs-100000000.onnx', []],
    ['fuzz-min/20545.onnx', ['--mode', 'train']],
  ])('%s: a Split whose num_outputs is not its output count is refused before the parts are listed', async (f, extra) => {
    expect(await cliError('profile', fixture(f), ...extra)).toMatch(/Split has num_outputs \d+ but \d+ outputs? — num_outputs must equal/);
  });

  it.each(['fuzz-min/17278.onnx', 'fuzz-min/34464.onnx', 'relu-no-outputs.onnx'])('%s: a node with no outputs', async (f) => {
    expect(await cliError('profile', fixture(f))).toMatch(/has no outputs, but \w+ produces \d/);
  });
});

describe('ONNX attributes that mean nothing', () => {
  it('a negative MaxPool kernel', async () => {
    expect(await cliError('profile', fixture('maxpool-neg-kernel.onnx'))).toMatch(/\(MaxPool\): kernel_shape \[-2,-2\] must be whole numbers ≥ 1/);
  });
  it('a negative AveragePool kernel (which gave negative FLOPs)', async () => {
    expect(await cliError('profile', fixture('avgpool-neg-kernel-negative-flops.onnx'))).toMatch(/\(AveragePool\): kernel_shape \[-1,2\] must be whole numbers ≥ 1/);
  });
  it('a Conv dilation of 0', async () => {
    expect(await cliError('profile', fixture('conv-dil0.onnx'))).toMatch(/\(Conv\): dilations \[0,0\] must be whole numbers ≥ 1/);
  });
  it('external data in a folder outside the model\'s', async () => {
    expect(await cliError('profile', fixture('ext-dir.onnx'))).toMatch(/tensor 'w' keeps its data in '\/tmp', which is outside the model's folder/);
  });
  it('Relu on strings', async () => {
    expect(await cliError('profile', fixture('string-input.onnx'))).toMatch(/Relu does not take strings, but its input 'x' is a string tensor/);
  });
});

describe('YAML alias bombs', () => {
  it.each(['billion-laughs.yaml', 'alias-bomb.yaml'])('%s is refused as a bad file', async (f) => {
    expect(await cliError('arch', fixture(f))).toMatch(/: cannot expand the YAML aliases: .* — write the repeated values out/);
  });
});

describe('what came from a file is escaped in error messages', () => {
  it('ANSI escapes in an op type are shown, not obeyed', async () => {
    const line = await cliError('profile', fixture('ansi-optype.onnx'));
    expect(line).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(line).toContain('unsupported ONNX op: Relu\\x1b[2J\\x1b[H\\x1b[1;32mall good\\x1b[0m\\x0d');
  });
  it('NUL bytes in a tensor name are shown escaped', async () => {
    const line = await cliError('profile', fixture('nul-in-message.onnx'));
    expect(line).not.toContain('\u0000');
    expect(line).toContain("input 'Elu_test_elu_defau\\x00\\x00");
  });
});
