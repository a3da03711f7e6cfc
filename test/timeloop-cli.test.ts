import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../src/cli/io.js';
import { cliError, cliJson } from './cli-helpers.js';
import { readTimeloopArch } from '../src/interop/timeloop/arch.js';
import { run } from '../src/cli/main.js';
import { loadArch } from '../src/arch/load.js';
import { loadMappingFile } from '../src/mapping/directives.js';
import { parseLayerSpec } from '../src/problem/parse.js';
import { readTimeloopMapping } from '../src/interop/timeloop/mapping.js';
import { readTimeloopFile } from '../src/interop/timeloop/source.js';
import { presetPath } from '../src/util/paths.js';

const ex = (f: string) => presetPath('timeloop', 'exercises', f);
const EX01 = [ex('conv1d-2level.arch.yaml'), ex('conv1d.problem.yaml'), ex('conv1d-2level-ws.mapping.yaml'), '--ert', ex('conv1d-2level.ERT.yaml')];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'accelmap-timeloop-'));
});

describe('accelmap timeloop', () => {
  it("prints Timeloop's stats for its exercise 01 (earlier conventions: Total 7.45 pJ/compute as published)", async () => {
    const io = memoryIo();
    expect(await run(['timeloop', ...EX01, '--ert-energy', 'max', '--rw-fills', 'parent-share'], io)).toBe(0);
    const out = io.stdout.join('\n');
    expect(out).toMatch(/^=== MainMemory ===$/m);
    expect(out).toMatch(/^Cycles: 48$/m);
    expect(out).toMatch(/^ {4}Total +=( )7\.452$/m);
    expect(io.stderr).toEqual([]);
  });

  it("reads timeloopfe's parsed-processed-input.yaml given as every argument, and the mapper's files merged", async () => {
    const fx = (...p: string[]) => join(__dirname, 'fixtures', 'timeloop-exercises', ...p);
    const ppi = fx('ispass-00', 'parsed-processed-input.yaml');
    const io = memoryIo();
    expect(await run(['timeloop', ppi, ppi, ppi, '--ert', fx('ispass-00', 'ERT.yaml')], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/^Cycles: 48$/m);
    const eyeriss = [fx('eyeriss_like', 'parsed-processed-input.yaml'), fx('eyeriss_like', 'map.yaml'), fx('eyeriss_like', 'ERT.yaml')];
    const tl = memoryIo();
    expect(await run(['timeloop', ...eyeriss, '--json'], tl)).toBe(0);
    // Timeloop's stats.txt: shared_glb reads 1354752 Inputs (no multicast across the two fan-outs' overlapping windows).
    const glb = (out: string[]) => JSON.parse(out.join('\n')).levels.find((l: { level: string }) => l.level === 'shared_glb').dataSpaces.find((d: { dataSpace: string }) => d.dataSpace === 'Inputs').scalarReads;
    expect(glb(tl.stdout)).toBe(1354752);
    const own = memoryIo();
    expect(await run(['timeloop', ...eyeriss, '--json', '--convention', 'accelmap'], own)).toBe(0);
    expect(glb(own.stdout)).toBeLessThan(1354752);
    const empty = await cliError('timeloop', fx('eyeriss_like', 'parsed-processed-input.yaml'));
    expect(empty).toMatch(/parsed-processed-input\.yaml mapping: the mapping is empty \(mapping: \[\]\) — a mapper run's mapping is in timeloop-mapper\.map\.yaml/);
  });

  it('prints JSON with --json', async () => {
    const io = memoryIo();
    expect(await run(['timeloop', ...EX01, '--json'], io)).toBe(0);
    const json = JSON.parse(io.stdout.join('\n'));
    expect(json.summary).toMatchObject({ computes: 48, cycles: 48 });
    expect(json.levels.map((l: { level: string }) => l.level)).toEqual(['Buffer', 'MainMemory']);
    expect(json.problem.dims).toEqual(['R', 'P']);
  });

  it('warns on stderr about what it does not use', async () => {
    const io = memoryIo();
    expect(await run(['timeloop', presetPath('timeloop', 'simple-os', 'arch.yaml'), presetPath('timeloop', 'problems', 'alexnet-conv1.problem.yaml'), presetPath('timeloop', 'simple-os', 'alexnet-conv1.mapping.yaml'), '--ert', presetPath('timeloop', 'simple-os', 'ERT.yaml')], io)).toBe(0);
    expect(io.stderr).toEqual([`accelmap: warning: ${presetPath('timeloop', 'simple-os', 'arch.yaml')}: 2 attributes and keys read but not used by the model (--verbose lists them)`]);
    const verbose = memoryIo();
    expect(await run(['timeloop', presetPath('timeloop', 'simple-os', 'arch.yaml'), presetPath('timeloop', 'problems', 'alexnet-conv1.problem.yaml'), presetPath('timeloop', 'simple-os', 'alexnet-conv1.mapping.yaml'), '--ert', presetPath('timeloop', 'simple-os', 'ERT.yaml'), '--verbose'], verbose)).toBe(0);
    expect(verbose.stderr).toEqual([
      `accelmap: warning: ${presetPath('timeloop', 'simple-os', 'arch.yaml')}:12:24 architecture.subtree[0].local[0].attributes.type: DRAM: 'type' is not modeled`,
      `accelmap: warning: ${presetPath('timeloop', 'simple-os', 'arch.yaml')}:22:17 architecture.subtree[0].subtree[0].local[0].attributes.n_banks: shared_glb: 'n_banks' is not modeled`,
    ]);
  });

  it('gives one line with the file and key, exit 2, for malformed files and flags', async () => {
    const problem = join(dir, 'bad.problem.yaml');
    writeFileSync(problem, readFileSync(presetPath('timeloop', 'problems', 'alexnet-conv1.problem.yaml'), 'utf8').replace('    Hstride: 4', '    HStride: 4'));
    const mapping = join(dir, 'short.mapping.yaml');
    writeFileSync(mapping, 'mapping:\n  - {target: Buffer, type: temporal, factors: R3 P8}\n');
    const cases: [string[], RegExp][] = [
      [['timeloop', presetPath('timeloop', 'simple-os', 'arch.yaml'), problem, presetPath('timeloop', 'simple-os', 'alexnet-conv1.mapping.yaml')], /^accelmap: .*bad\.problem\.yaml:34:5 problem\.instance\.HStride: unknown key 'HStride' \(did you mean Hstride\?\)/],
      [['timeloop', ex('conv1d-1level.arch.yaml'), ex('conv1d.problem.yaml'), mapping, '--ert', ex('conv1d-1level.ERT.yaml')], /^accelmap: .*short\.mapping\.yaml: the factors of P multiply to 8, less than its bound 16/],
      [['timeloop', ...EX01, '--ert-energy', 'average'], /^accelmap: --ert-energy 'average' is not one of per-action, max$/],
      [['timeloop', ex('conv1d-1level.arch.yaml'), ex('conv1d.problem.yaml'), join(dir, 'missing.yaml')], /^accelmap: .*missing\.yaml: cannot read .*missing\.yaml: ENOENT$/],
    ];
    for (const [argv, message] of cases) {
      const io = memoryIo();
      expect(await run(argv, io), argv.join(' ')).toBe(2);
      expect(io.stderr.length).toBe(1);
      expect(io.stderr[0]).toMatch(message);
    }
  });
});

describe('accelmap model --timeloop-out', () => {
  it('writes the mapping as Timeloop YAML that reads back to the same mapping', async () => {
    const out = join(dir, 'eyeriss.mapping.yaml');
    const layer = 'conv:K=64,C=64,P=56,Q=56,R=3,S=3';
    const file = 'docs/examples/eyeriss-conv3x3.mapping.yaml';
    for (const format of ['v0.4', 'v0.3']) {
      expect(await run(['model', '--arch', 'eyeriss', '--layer', layer, '--mapping', file, '--timeloop-out', out, '--timeloop-format', format], memoryIo())).toBe(0);
      const arch = loadArch('eyeriss');
      const problem = parseLayerSpec(layer);
      const original = loadMappingFile(file, problem, arch);
      const back = readTimeloopMapping(readTimeloopFile(out), problem, arch).mapping;
      expect(back).toEqual(original);
    }
  });
});

const loadTimeloopArchFor = (file: string) => readTimeloopArch(readTimeloopFile(file)).arch;

describe('accelmap map --timeloop', () => {
  const fx = (...p: string[]) => join(__dirname, 'fixtures', 'timeloop-exercises', ...p);
  const EYERISS = [fx('eyeriss_like', 'parsed-processed-input.yaml'), fx('eyeriss_like', 'ERT.yaml')];

  it("maps eyeriss_like's default problem within its constraints, prints map --json's shape and writes a mapping Timeloop's inputs read back", async () => {
    const out = join(dir, 'eyeriss-out');
    const json = await cliJson('map', '--timeloop', ...EYERISS, '--convention', 'timeloop', '--budget', '20000', '--json', '--no-progress', '--threads', '1', '--timeloop-out', out);
    expect(json.totals.cycles).toBeGreaterThan(0);
    expect(json.layers).toHaveLength(1);
    // Evaluated again from the written files as Timeloop would run them: the same cycles and energy.
    const io = memoryIo();
    expect(await run(['timeloop', fx('eyeriss_like', 'parsed-processed-input.yaml'), join(out, 'timeloop-mapper.map.yaml'), fx('eyeriss_like', 'ERT.yaml'), '--json'], io)).toBe(0);
    const stats = JSON.parse(io.stdout.join('\n'));
    expect(stats.summary.cycles).toBe(json.totals.cycles);
    expect(stats.summary.energyPj).toBeCloseTo(json.totals.energyPj, 3);
    expect(readFileSync(join(out, 'timeloop-mapper.stats.txt'), 'utf8')).toMatch(/^Cycles: \d+$/m);
    // The mapspace constraints hold: only Q fans out across columns, no temporal loop at ifmap_spad, weights_spad iterates only C and R.
    const mapping = readTimeloopMapping(readTimeloopFile(join(out, 'timeloop-mapper.map.yaml')), stats.problem, loadTimeloopArchFor(fx('eyeriss_like', 'parsed-processed-input.yaml')), []).mapping;
    const dims: string[] = stats.problem.dims;
    const level = (n: string) => ['DRAM', 'shared_glb', 'inter_PE_column_spatial', 'inter_PE_spatial', 'ifmap_spad', 'weights_spad', 'psum_spad'].indexOf(n);
    const at = (arr: Int32Array, l: number) => dims.filter((_, d) => arr[l * dims.length + d]! > 1);
    expect(at(mapping.spatialY, level('inter_PE_column_spatial'))).toEqual([]);
    expect(at(mapping.spatialX, level('inter_PE_column_spatial')).every((d) => d === 'Q')).toBe(true);
    expect(at(mapping.temporal, level('ifmap_spad'))).toEqual([]);
    expect(at(mapping.temporal, level('weights_spad')).every((d) => d === 'C' || d === 'R')).toBe(true);
  });

  it("refuses a Sparseloop run's input in one line naming the file and key, never computing it as dense", async () => {
    const sparse = fx('sparse-SUDU-dot-product', 'parsed-processed-input.yaml');
    for (const args of [['timeloop', sparse], ['map', '--timeloop', sparse]]) {
      expect(await cliError(...args)).toMatch(/sparse-SUDU-dot-product\/parsed-processed-input\.yaml:\d+:\d+ sparse_optimizations: sparse optimizations \(skipping, gating, compressed formats\) are not modeled/);
    }
  });

  it('refuses a model next to --timeloop, and a missing --arch without it, in one line', async () => {
    expect(await cliError('map', 'resnet50', '--timeloop', ...EYERISS)).toMatch(/give either a model \('resnet50'\) or --timeloop, not both/);
    expect(await cliError('map', 'conv:K=8,C=8,P=8,Q=8,R=3,S=3')).toMatch(/map needs --arch/);
  });
});
