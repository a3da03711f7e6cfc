import { describe, expect, it } from 'vitest';
import { cliError, cliJson } from './cli-helpers.js';

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
