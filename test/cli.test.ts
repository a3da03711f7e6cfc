import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../src/cli/io.js';
import { buildProgram } from '../src/cli/main.js';
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

describe('help', () => {
  it("every command's help ends with examples that use only that command's options", async () => {
    const program = buildProgram(memoryIo());
    for (const cmd of program.commands) {
      const r = await cli(cmd.name(), '--help');
      expect(r.code).toBe(0);
      const examples = r.out.split('\nExamples:\n')[1];
      expect(examples, cmd.name()).toBeDefined();
      const known = new Set(cmd.options.flatMap((o) => [o.long, o.short]));
      for (const line of examples!.split('\n')) {
        expect(line.trim().split(/\s+/).slice(0, 2), line).toEqual(['accelmap', cmd.name()]);
        for (const flag of line.match(/(?<=\s)--?[a-z][\w-]*/g) ?? []) expect(known.has(flag), `${line}: ${flag}`).toBe(true);
      }
    }
  });

  it('marks required options and hides options that cannot change', async () => {
    const scale = (await cli('scale', '--help')).out;
    expect(scale).toMatch(/--devices <n>\s+\(required\) number of devices/);
    expect(scale).toMatch(/--compress <m>\s+gradient compression: none, adacomp, topk/);
    expect(scale).toMatch(/--batch <n>\s+batch size \(default: 32 per device/);
    expect((await cli('memory', '--help')).out).not.toMatch(/--mode/);
  });
});

describe('an install that skipped the build', () => {
  it('says in one line what to run instead of failing with a stack trace', () => {
    const root = mkdtempSync(join(tmpdir(), 'accelmap-unbuilt-'));
    mkdirSync(join(root, 'bin'));
    copyFileSync(new URL('../bin/accelmap.js', import.meta.url), join(root, 'bin', 'accelmap.js'));
    const r = spawnSync(process.execPath, [join(root, 'bin', 'accelmap.js'), 'models'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^accelmap: not built yet .* run `npm run build` in /);
  });
});

describe('a reader that stops early', () => {
  it('ends quietly with exit code 0 when stdout is closed', () => {
    const bin = new URL('../bin/accelmap.js', import.meta.url).pathname;
    // `true` exits without reading, so every write meets a closed pipe
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${bin}" ops | true`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

