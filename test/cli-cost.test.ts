import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../src/cli/io.js';
import { run } from '../src/cli/main.js';

const LAYER = 'conv:K=64,C=64,P=56,Q=56,R=3,S=3';
const MAPPING = 'docs/examples/eyeriss-conv3x3.mapping.yaml';

describe('accelmap arch', () => {
  it('lists the presets', async () => {
    const io = memoryIo();
    expect(await run(['arch'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/tpu-v1/);
  });
  it('summarizes a preset in JSON', async () => {
    const io = memoryIo();
    expect(await run(['arch', 'tpu-v1', '--json'], io)).toBe(0);
    const s = JSON.parse(io.stdout.join(''));
    expect(s.peaks[0].macsPerCycle).toBe(65536);
    expect(s.levels.map((l: { name: string }) => l.name)).toEqual(['DRAM', 'WeightFIFO', 'UnifiedBuffer', 'Accumulators', 'WeightReg']);
  });
  it('prints a table with peaks and energies', async () => {
    const io = memoryIo();
    expect(await run(['arch', 'rapid'], io)).toBe(0);
    const out = io.stdout.join('\n');
    expect(out).toMatch(/hfp8/);
    expect(out).toMatch(/cores: 4 on a ring/);
  });
  it('rejects an unknown preset in one line', async () => {
    const io = memoryIo();
    expect(await run(['arch', 'tpu-v9'], io)).toBe(2);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(/unknown architecture 'tpu-v9' \(did you mean tpu-v1\?\) — presets: /);
  });
});

describe('accelmap model', () => {
  it('reports cycles, energy and per-level accesses', async () => {
    const io = memoryIo();
    expect(await run(['model', '--arch', 'eyeriss', '--layer', LAYER, '--mapping', MAPPING], io)).toBe(0);
    const out = io.stdout.join('\n');
    expect(out).toMatch(/utilization/);
    expect(out).toMatch(/WeightSpad\s+Weights\s+168\s+48/);
  });
  it('--json carries the counts in Timeloop vocabulary', async () => {
    const io = memoryIo();
    expect(await run(['model', '--arch', 'eyeriss', '--layer', LAYER, '--mapping', MAPPING, '--json'], io)).toBe(0);
    const c = JSON.parse(io.stdout.join(''));
    expect(c.macs).toBe(64 * 64 * 56 * 56 * 9);
    expect(c.computeCycles).toBe(4 * 4 * 7 * 4 * (4 * 8) * (4 * 4) * 3);
    const dram = c.levels[0].dataSpaces.find((d: { dataSpace: string }) => d.dataSpace === 'Weights');
    // Each PE refetches its 48-word weight tile 86016/48 times; 12 distinct (R, C) positions share a read.
    expect(dram.reads).toBe(86016 * 12);
    expect(c.problem.dims).toEqual(['N', 'K', 'C', 'P', 'Q', 'R', 'S']);
  });
  it('explains an invalid mapping', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-model-'));
    const f = join(dir, 'big.yaml');
    writeFileSync(f, 'mapping:\n  - { target: DRAM, type: temporal, factors: "K=0 C=0 P=56 Q=56 R=3 S=3" }\n  - { target: WeightSpad, type: temporal, factors: "K=64 C=4" }\n');
    const io = memoryIo();
    expect(await run(['model', '--arch', 'eyeriss', '--layer', LAYER, '--mapping', f], io)).toBe(2);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(/WeightSpad capacity exceeded: the kept tiles need 256 words, the level holds 224/);
  });
  it('rejects a bad layer, a bad mapping file and a bad --convention in one line', async () => {
    const conv = memoryIo();
    expect(await run(['model', '--arch', 'eyeriss', '--layer', LAYER, '--mapping', MAPPING, '--convention', 'tl'], conv)).toBe(2);
    expect(conv.stderr).toEqual(["accelmap: --convention 'tl' is not one of accelmap, timeloop"]);
    const io = memoryIo();
    expect(await run(['model', '--arch', 'eyeriss', '--layer', 'conv:K=1', '--mapping', MAPPING], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/missing C/);
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-model-'));
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'mapping:\n  - { target: GLB, type: temporal }\n');
    const io2 = memoryIo();
    expect(await run(['model', '--arch', 'eyeriss', '--layer', LAYER, '--mapping', f], io2)).toBe(2);
    expect(io2.stderr[0]).toMatch(/bad\.yaml:2:7 mapping\[0\]\.target: unknown level 'GLB'/);
  });
});
