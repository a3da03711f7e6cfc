import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli, cliError, cliJson } from './cli-helpers.js';

describe('cli', () => {
  it('lists the zoo', async () => {
    const r = await cli('models');
    expect(r.code).toBe(0);
    expect(r.out).toContain('resnet50');
  });

  it('rejects an unknown flag with one line and exit code 2', async () => {
    expect(await cliError('models', '--nope')).toMatch(/unknown option '--nope'/);
  });

  it('rejects an unknown command', async () => {
    expect(await cliError('frobnicate')).toMatch(/unknown command.*\(see accelmap --help\)$/);
  });

  it("points a command's flag errors at that command's help", async () => {
    expect(await cliError('map', 'resnet50', '--arch', 'eyeriss', '--nope')).toMatch(/unknown option '--nope'.* \(see accelmap map --help\)$/);
  });

  it('suggests the nearest preset, zoo model or device', async () => {
    expect(await cliError('map', 'resnet5', '--arch', 'eyeris')).toMatch(/unknown architecture 'eyeris' \(did you mean eyeriss\?\)/);
    expect(await cliError('map', 'resnet5', '--arch', 'eyeriss')).toMatch(/unknown model 'resnet5' \(did you mean resnet50\?\)/);
    expect(await cliError('profile', 'vgg16', '--device', 'titan-z')).toMatch(/unknown device 'titan-z' \(did you mean titan-x\?\)/);
  });

  it('refuses --json with --csv', async () => {
    expect(await cliError('map', 'conv:K=4,C=4,P=4,Q=4,R=1,S=1', '--arch', 'eyeriss', '--json', '--csv')).toMatch(/'--json' cannot be used with option '--csv'/);
  });
});

describe('cli ops', () => {
  it('lists the op kinds with their FLOP conventions', async () => {
    const r = await cli('ops');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Einsum\s+matmul\s+yes\s+contraction of two operands/m);
    expect(r.out).toMatch(/^Resize\s+data-movement\s+per output element/m);
  });
});

describe('provenance', () => {
  it('every JSON result starts with the version and the command that made it', async () => {
    const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    const r = await cliJson('profile', 'alexnet', '--batch', '2', '--json');
    expect(Object.keys(r)[0]).toBe('accelmap');
    expect(r.accelmap).toEqual({ version, command: 'accelmap profile alexnet --batch 2 --json' });
    const quoted = await cliJson('map', 'conv:K=4,C=4,P=4,Q=4,R=1,S=1', '--arch', 'eyeriss', '--objective', 'energy, latency', '--budget', '200', '--json', '--no-progress');
    expect(quoted.accelmap.command).toBe("accelmap map conv:K=4,C=4,P=4,Q=4,R=1,S=1 --arch eyeriss --objective 'energy, latency' --budget 200 --json --no-progress");
  });
});
