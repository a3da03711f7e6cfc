import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliError, cliJson } from './cli-helpers.js';
import { packageRoot, presetPath } from '../src/util/paths.js';

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

describe('warnings escape what came from a file too', () => {
  it('an unknown SCALE-Sim key holding an ANSI escape', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-reliability-'));
    try {
      const cfg = join(dir, 'a.cfg');
      writeFileSync(cfg, '[architecture_presets]\nArrayHeight: 8\nArrayWidth: 8\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nDataflow: ws\nBogus\u001b[2J: 1\n[run_presets]\nInterfaceBandwidth: CALC\n');
      const topology = join(dir, 't.csv');
      writeFileSync(topology, 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nok, 8, 8, 3, 3, 2, 4, 1,\n');
      const r = await cli('systolic', '-c', cfg, '-t', topology);
      expect(r.code).toBe(0);
      expect(r.err).toContain(`accelmap: warning: ${cfg}:8 Bogus\\x1b[2J: unknown key in [architecture_presets]; not used`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('arch specs with physical nonsense (refused by the spec\'s ranges)', () => {
  it.each([
    ['tpu-v1-wordbits-1e6.yaml', /wordBits: 1e6: must be an integer from 1 to 64/],
    ['simba-fanout-1e6.yaml', /levels\[5\]\.fanOut\.x: 1e6: must be an integer from 1 to/],
    ['eyeriss-clock-0.yaml', /clock: '0MHz' is 0 Hz: must be a number from/],
    ['eyeriss-glb-0KB.yaml', /levels\[1\]\.capacity: '0KB' is 0 bytes: must be a number above 0/],
  ])('%s', async (f, message) => {
    expect(await cliError('arch', fixture(f))).toMatch(message);
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

describe('mapper requests that cannot be met, or would not fit in memory', () => {
  it('a layer no mapping fits: no valid mapping is a user error naming the level', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-reliability-'));
    try {
      // TPU v1 with 64 KiB of DRAM: the layer's 970 k words fit nowhere
      const arch = join(dir, 'tpu-small-dram.yaml');
      writeFileSync(arch, readFileSync(presetPath('arch', 'tpu-v1.yaml'), 'utf8').replace('capacity: 8GiB', 'capacity: 64KiB'));
      const line = await cliError('map', 'conv:K=64,C=3,P=112,Q=112,R=7,S=7,stride=2', '--arch', arch, '--threads', '1', '--budget', '2000', '--no-progress');
      expect(line).toMatch(/no valid mapping of conv .* on tpu-v1: 100% of the \d+ mappings tried fail because DRAM capacity exceeded: the kept tiles need \d+ words, the level holds 65536 — give that level more capacity/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a loop bound past the mapper\'s 32-bit factors is refused, not wrapped', async () => {
    expect(await cliError('map', 'conv:K=99999999999,C=99999999999,P=99999,Q=99999,R=3,S=3', '--arch', 'eyeriss')).toBe(
      'accelmap: dimension K = 99999999999 of conv is beyond 2147483647, the largest loop bound the mapper represents — split the layer, or give a smaller size',
    );
  });
  it('a budget that rounds to no evaluations is refused before any work', async () => {
    expect(await cliError('map', 'resnet18', '--arch', 'eyeriss', '--budget', '0.4')).toBe("accelmap: --budget '0.4' rounds to 0 evaluations — give a whole number of evaluations ≥ 1, e.g. --budget 20000, or seconds, e.g. --budget 10s");
  });
  it('a thread count past any machine is refused before a worker starts', async () => {
    expect(await cliError('map', 'resnet18', '--arch', 'eyeriss', '--threads', '10000')).toBe('accelmap: --threads 10000 is more than the 256 worker threads accelmap starts — use at most one per core of this machine');
  });
  it('a 256 × 256 fan-out into one-word registers maps in about a second (the multicast count no longer lists every spatial position: 20 s before)', async () => {
    const { totals } = await cliJson('map', 'conv:K=64,C=64,P=56,Q=56,R=3,S=3', '--arch', fixture('simba-fanout-256x256.yaml'), '--threads', '1', '--budget', '300', '--json', '--no-progress');
    // DRAM (32 words per cycle) moves every weight and input in and every output out at least once
    expect(totals.cycles).toBeGreaterThanOrEqual((64 * 64 * 9 + 64 * 58 * 58 + 64 * 56 * 56) / 32);
    expect(Number.isFinite(totals.cycles)).toBe(true);
  });
});

describe('other tools\' files', () => {
  it('a SCALE-Sim array of 2^53 rows is refused before the simulator allocates it', async () => {
    expect(await cliError('systolic', '-c', fixture('scalesim-arrayheight-huge.cfg'), '-t', presetPath('scalesim', 'alexnet.csv'))).toMatch(
      /scalesim-arrayheight-huge\.cfg:5 \[architecture_presets\] ArrayHeight: '9007199254740991' is 9\.007e15: must be an integer from 1 to 4096/,
    );
  });
  it('a Timeloop problem with a stride of 0', async () => {
    const tl = (...p: string[]) => presetPath('timeloop', ...p);
    expect(await cliError('timeloop', tl('simple-ws', 'arch.yaml'), fixture('timeloop-hstride-0.problem.yaml'), tl('simple-ws', 'alexnet-conv1.mapping.yaml'))).toMatch(
      /timeloop-hstride-0\.problem\.yaml:\d+:\d+ problem\.instance\.Hstride: '0' is not a positive integer/,
    );
  });
});

describe('output paths are checked before the work starts', () => {
  const systolic = ['systolic', '-c', presetPath('scalesim', 'scale_ws.cfg'), '-t', presetPath('scalesim', 'alexnet.csv')];
  it('systolic --csv under /proc (where a recursive mkdir never returns) is refused', async () => {
    expect(await cliError(...systolic, '--csv', '/proc/xdir')).toBe("accelmap: /proc/xdir --csv: cannot write reports: it is inside /proc or /sys, which hold the kernel's views, not files");
  });
  it.each([
    [['compress-demo'], '--out'],
    [['map', 'resnet18', '--arch', 'eyeriss'], '--out'],
    [['memory', 'resnet18'], '--trace'],
    [['scale', 'resnet18'], '--out'],
    [systolic, '--csv'],
    [['run', 'autoenc'], '--outputs'],
  ])('%j %s \'\' is an error, not a silent no-op', async (args, flag) => {
    expect(await cliError(...args, flag, '')).toMatch(new RegExp(`^accelmap: ${flag}: cannot write [a-zA-Z ]+: the path is empty$`));
  });
  it('map --timeloop-out under /proc is refused before anything is read', async () => {
    expect(await cliError('map', 'resnet18', '--arch', 'eyeriss', '--timeloop-out', '/proc/x')).toBe("accelmap: /proc/x --timeloop-out: cannot write Timeloop mappings: it is inside /proc or /sys, which hold the kernel's views, not files");
  });
  it('compress-demo --out into a missing folder fails at once', async () => {
    expect(await cliError('compress-demo', '--out', '/nonexistent-folder/report.html')).toBe('accelmap: /nonexistent-folder/report.html --out: cannot write HTML report: no such file or folder');
  });
  it('systolic --csv writes its reports only once every layer is done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-reliability-'));
    try {
      const out = join(dir, 'reports');
      // the second layer's filter is larger than its input: the run fails after simulating the first
      const topology = join(dir, 'topology.csv');
      writeFileSync(topology, 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nok, 8, 8, 3, 3, 2, 4, 1,\nbad, 4, 4, 5, 5, 2, 4, 1,\n');
      expect(await cliError(...systolic.slice(0, 3), '-t', topology, '--csv', out)).toMatch(/bad: filter 5×5 is larger than the ifmap 4×4/);
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
