import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliError, cliJson } from './cli-helpers.js';

describe('accelmap compile', () => {
  it('reports passes, fused groups and before/after figures', async () => {
    const r = await cliJson('compile', 'resnet18', '--json', '--dump-after', 'bn-fold');
    expect(r.applied).toEqual(['simplify', 'bn-fold', 'fuse']);
    expect(r.after.nodes).toBeLessThan(r.before.nodes);
    expect(r.after.dramBytes).toBeLessThan(r.before.dramBytes);
    expect(r.after.vectorCycles).toBeLessThan(r.before.vectorCycles);
    // 20 convolutions: every one carries its ReLU or residual Add + ReLU (downsample convs: none after BN folding)
    expect(r.fusedGroups.every((f: { anchor: string }) => f.anchor === 'Conv')).toBe(true);
    expect(r.dumps[0].pass).toBe('bn-fold');
    expect(r.dumps[0].nodes.some((n: { op: string }) => n.op === 'BatchNormalization')).toBe(false);
    expect(r.derivedWeights.length).toBe(2 * 20);
  });

  it('runs only the passes asked for, and refuses unknown ones', async () => {
    const r = await cliJson('compile', 'resnet18', '--json', '--passes', 'simplify');
    expect(r.applied).toEqual(['simplify']);
    expect(r.fusedGroups).toEqual([]);
    expect(await cliError('compile', 'resnet18', '--passes', 'simplify,unroll')).toMatch(/unknown pass 'unroll'/);
  });

  it('layout blocks resnet18 from the stem ReLU to the global pool: 2 transforms, 19 convolutions and the max pool as Blocked', async () => {
    // the stem Conv reads 3 channels (not a multiple of 16) and stays NCHW; GlobalAveragePool has no blocked rule
    const r = await cliJson('compile', 'resnet18', '--json', '--passes', 'simplify,bn-fold,layout', '--dump-after', 'layout');
    const nodes: { op: string }[] = r.dumps[0].nodes;
    expect(nodes.filter((n) => n.op === 'LayoutTransform')).toHaveLength(2);
    expect(nodes.filter((n) => n.op === 'Blocked')).toHaveLength(19 + 1);
    expect(await cliError('compile', 'resnet18', '--passes', 'layout', '--block', '0')).toMatch(/--block/);
  });

  it("takes the block from a target's GEMM intrinsic, says so, and --block overrides it", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gemm32-')), 'gemm32.yaml');
    writeFileSync(file, readFileSync('presets/targets/vta.yaml', 'utf8').replace('name: vta', 'name: gemm32').replace('blockIn: 16', 'blockIn: 32').replace('blockOut: 16', 'blockOut: 32'));
    const args = ['compile', 'resnet18', '--passes', 'simplify,bn-fold,layout'];
    const r = await cliJson(...args, '--json', '--block-from', file, '--dump-after', 'layout');
    expect(r.layoutBlock).toEqual({ block: 32, from: "target gemm32's GEMM intrinsic (BLOCK_IN = BLOCK_OUT = 32)" });
    const blocked = r.dumps[0].nodes.filter((n: { op: string }) => n.op === 'Blocked');
    expect(blocked[0].shape).toEqual([1, 2, 56, 56, 32]);
    // the stem ReLU's [1,64,112,112] blocked and layer4's [1,512,7,7] unblocked, each read and written as float32
    expect(r.after.layoutTransforms.dramBytes).toBe(2 * 4 * (64 * 112 * 112 + 512 * 7 * 7));
    const text = (await cli(...args, '--block-from', file, '--block', '8')).out;
    expect(text).toMatch(/^layout block: 8 \(NCHW\[8\]c\), from --block$/m);
    expect(await cliError(...args, '--block-from', 'nope')).toMatch(/^accelmap: --block-from: unknown VTA target 'nope'/);
    expect(await cliError('compile', 'resnet18', '--block', '8')).toMatch(/--block .*layout pass is not run/);
    expect(await cliError('compile', 'resnet18', '--passes', 'simplify,fuse', '--block-from', file)).toMatch(/--block-from .*layout pass is not run/);
  });
});

describe('accelmap map on the compiled graph', () => {
  it('prices each fused loop nest as the exported one plus its epilogue, and reports the totals without compilation', async () => {
    const args = ['map', 'resnet18', '--arch', 'eyeriss', '--budget', '300', '--threads', '1', '--no-progress', '--json'];
    const compiled = await cliJson(...args);
    const exported = await cliJson(...args, '--no-fuse');
    expect(exported.uncompiled).toBeUndefined();
    expect(compiled.uncompiled.cycles).toBe(exported.totals.cycles);
    expect(compiled.uncompiled.layers).toBe(exported.layers.length);
    type L = { kind: string; cycles: number; epilogue?: { cycles: number } };
    const loopNests = (ls: L[]) => ls.filter((l) => l.kind === 'mapped').reduce((s, l) => s + l.cycles - (l.epilogue?.cycles ?? 0), 0);
    expect(loopNests(compiled.layers)).toBe(loopNests(exported.layers));
    expect(compiled.layers.filter((l: L) => l.epilogue).length).toBeGreaterThan(0);
    expect(compiled.totals.cycles).toBeLessThan(exported.totals.cycles);
    expect(compiled.totals.dramWords).toBeLessThan(exported.totals.dramWords);
  }, 60_000);
});
