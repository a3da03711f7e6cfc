import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileForVta, loadGraph } from '../index.js';
import { accelmapVersion } from '../util/provenance.js';
import { designHash, EXPLORE_MAPPER_DEFAULTS, evaluatePoint, explore } from './explore.js';
import { designArch, designStatic, loadSpace } from './space.js';

function spaceFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'accelmap-target-space-')), 'space.yaml');
  writeFileSync(file, text);
  return file;
}

const BLOCK_OUT = 'name: t\ntarget: vta\nknobs:\n  - {name: block_out, path: blockOut, values: [16, 32]}\n';

describe('a design space over the VTA compile target', () => {
  const graph = loadGraph('deepq', { imageSize: 36 });
  const workloads = [{ name: 'deepq', workload: graph, options: { imageSize: 36 } }];

  it('evaluates a knob on the simulator: BLOCK_OUT 32 vs 16 gives the cycles compileForVta gives with --set blockOut', async () => {
    const space = loadSpace(spaceFile(BLOCK_OUT));
    const context = { space, workloads, mapper: EXPLORE_MAPPER_DEFAULTS, version: accelmapVersion() };
    const cycles = async (d: number[]) => (await evaluatePoint(context, { hash: designHash(context, d), design: d }, new Map())).record.workloads[0]!.cycles;
    const [at16, at32] = [await cycles([0]), await cycles([1])];
    const simulator = async (v: number) => (await compileForVta(graph, { set: [`blockOut=${v}`] })).totals.cycles;
    expect(at16).toBe(await simulator(16));
    expect(at32).toBe(await simulator(32));
    expect(at32).not.toBe(at16);
  });

  it('gives area and storage from the arch view of the design: a 1×16×32 array has 512 MACs, buffers as the target says', () => {
    const space = loadSpace(spaceFile(BLOCK_OUT));
    const [a16, a32] = [designArch(space, [0]), designArch(space, [1])];
    if ('invalid' in a16 || 'invalid' in a32) throw new Error('expected valid designs');
    expect(a32.compute.fanOut.meshX * a32.compute.fanOut.meshY).toBe(512);
    expect(a16.compute.fanOut.meshX * a16.compute.fanOut.meshY).toBe(256);
    // presets/targets/vta.yaml: 32 KiB input + 256 KiB weight + 128 KiB accumulator buffers
    expect(designStatic(a32).sramBytes).toBe((32 + 256 + 128) * 1024);
    expect(designStatic(a32).areaMm2).toBeGreaterThan(designStatic(a16).areaMm2);
  });

  it('skips designs the target refuses, refuses unknown keys and energy', async () => {
    // BLOCK_IN 8 with 32 KiB input: 4096 input vectors, more than the 2048 the instruction fields address
    const space = loadSpace(spaceFile('name: t\ntarget: vta\nknobs:\n  - {path: blockIn, values: [8, 16]}\n'));
    expect(designArch(space, [0])).toHaveProperty('invalid');
    expect(() => loadSpace(spaceFile('name: t\ntarget: vta\nknobs:\n  - {path: blockOutt, values: [16]}\n'))).toThrow(/blockOut/);
    expect(() => loadSpace(spaceFile('name: t\narch: vta\ntarget: vta\nknobs:\n  - {path: blockOut, values: [16]}\n'))).toThrow(/exactly one of arch or target/);
    const opts = { objectives: ['latency', 'energy'] as const, strategy: 'random' as const, budget: 1, seed: 1, mapper: EXPLORE_MAPPER_DEFAULTS };
    await expect(explore(space, workloads, { ...opts, objectives: ['latency', 'energy'] })).rejects.toThrow(/no energy model/);
  });
});
