import { describe, expect, it } from 'vitest';
import { loadArch } from '../arch/load.js';
import { seededInputs } from '../execute/inputs.js';
import { seededParams } from '../execute/params.js';
import type { Graph } from '../workload/graph.js';
import { loadGraph } from '../workload/load.js';
import { autoPrecisions, choosePrecisions, measureLayerSensitivity, type LayerSensitivity } from './auto.js';
import type { Precision } from './formats.js';
import { measureQuantization } from './measure.js';
import { computeNodes, makePlan } from './plan.js';

describe('choosePrecisions', () => {
  // Own drops: int4 drops a by 20, b by 30, c by 20, d by 10, e by 35; int2 drops a 39, b 35, c 25, d 15, e 39.
  const layer = (name: string, int4: number, int2: number): LayerSensitivity => ({
    name,
    op: 'Conv',
    baselineSqnrDb: 40,
    candidates: [
      { precision: 'int4', sqnrDb: 40 - int4, dropDb: int4 },
      { precision: 'int2', sqnrDb: 40 - int2, dropDb: int2 },
    ],
  });
  const layers = [layer('a', 20, 39), layer('b', 30, 35), layer('c', 20, 25), layer('d', 10, 15), layer('e', 35, 39)];
  const o = { baseline: 'hfp8' as const, maxDropDb: 25, keepEnds: true };
  it('per layer the lowest bits within the budget; the ends at the baseline', () => {
    const c = choosePrecisions(layers, o);
    expect(c.map((x) => x.precision)).toEqual(['hfp8', 'hfp8', 'int2', 'int2', 'hfp8']);
    expect(c.map((x) => x.dropDb)).toEqual([0, 0, 25, 15, 0]);
  });
  it('without keeping the ends, and with a tighter budget', () => {
    expect(choosePrecisions(layers, { ...o, keepEnds: false, maxDropDb: 20 }).map((x) => x.precision)).toEqual(['int4', 'hfp8', 'int4', 'int2', 'hfp8']);
    expect(choosePrecisions(layers, { ...o, maxDropDb: 0 }).map((x) => x.precision)).toEqual(['hfp8', 'hfp8', 'hfp8', 'hfp8', 'hfp8']);
  });
  it('refuses a negative budget', () => {
    expect(() => choosePrecisions(layers, { ...o, maxDropDb: -1 })).toThrow(/--max-sqnr-drop -1/);
  });
});

/** x [4, 16] → MatMul → Relu → MatMul (signed output) → MatMul: three compute layers, weights drawn from a seed. */
function chain(): Graph {
  const t = (name: string, kind: 'input' | 'weight' | 'activation', shape: number[]) => ({ name, kind, shape, dtype: 'float32' as const });
  return {
    name: 'chain',
    mode: 'infer',
    batch: 4,
    inputs: ['x'],
    outputs: ['y'],
    tensors: Object.fromEntries(
      [t('x', 'input', [4, 16]), t('w1', 'weight', [16, 16]), t('h1', 'activation', [4, 16]), t('r1', 'activation', [4, 16]), t('w2', 'weight', [16, 12]), t('h2', 'activation', [4, 12]), t('w3', 'weight', [12, 8]), t('y', 'activation', [4, 8])].map((x) => [x.name, x]),
    ),
    nodes: [
      { name: 'mm1', op: 'MatMul', inputs: ['x', 'w1'], outputs: ['h1'], attrs: {}, phase: 'forward' },
      { name: 'relu', op: 'Relu', inputs: ['h1'], outputs: ['r1'], attrs: {}, phase: 'forward' },
      { name: 'mm2', op: 'MatMul', inputs: ['r1', 'w2'], outputs: ['h2'], attrs: {}, phase: 'forward' },
      { name: 'mm3', op: 'MatMul', inputs: ['h2', 'w3'], outputs: ['y'], attrs: {}, phase: 'forward' },
    ],
  };
}

/** The expensive way: the whole network rerun with every compute layer at `baseline` but `layer` at `p`; that layer's output SQNR. */
function bruteForce(g: Graph, baseline: Precision, layer: string, p: Precision): number {
  const plan = makePlan(g, baseline, { firstLast: 'same', layers: { [layer]: p } });
  const r = measureQuantization(g, seededInputs(g, 3), seededParams(g, 3), plan, { method: 'mse' });
  return r.layers.find((l) => l.name === layer)!.sqnrDb;
}

describe('measureLayerSensitivity', () => {
  const cases: [string, () => Graph, Precision, Precision[]][] = [
    ['a MatMul chain at int8 against int4/int2', chain, 'int8', ['int4', 'int2']],
    ['deepq on 44×44 frames, batch 2 (Conv and Gemm) at hfp8 against int4/int2', () => loadGraph('deepq', { imageSize: 44, batch: 2 }), 'hfp8', ['int4', 'int2']],
  ];
  for (const [what, make, baseline, candidates] of cases) {
    it(`equals rerunning the whole network with only that layer at the candidate: ${what}`, async () => {
      const g = make();
      const s = await measureLayerSensitivity(g, seededInputs(g, 3), seededParams(g, 3), { baseline, candidates, method: 'mse' });
      expect(s.map((l) => l.name)).toEqual(computeNodes(g).map((n) => n.name));
      const uniform = measureQuantization(g, seededInputs(g, 3), seededParams(g, 3), makePlan(g, baseline, { firstLast: 'same', layers: {} }), { method: 'mse' });
      for (const l of s) {
        expect(l.baselineSqnrDb).toBe(uniform.layers.find((u) => u.name === l.name)!.sqnrDb);
        for (const c of l.candidates) {
          expect(c.sqnrDb).toBe(bruteForce(g, baseline, l.name, c.precision));
          expect(c.dropDb).toBe(l.baselineSqnrDb - c.sqnrDb);
        }
      }
    });
  }

  it('the first layer\'s own drop is its drop in a uniform run (nothing before it); a later layer\'s is smaller', async () => {
    const g = chain();
    const s = await measureLayerSensitivity(g, seededInputs(g, 3), seededParams(g, 3), { baseline: 'int8', candidates: ['int2'], method: 'mse' });
    const at = (p: Precision) => measureQuantization(g, seededInputs(g, 3), seededParams(g, 3), makePlan(g, p, { firstLast: 'same', layers: {} }), { method: 'mse' }).layers;
    const [int8, int2] = [at('int8'), at('int2')];
    expect(s[0]!.candidates[0]!.dropDb).toBe(int8[0]!.sqnrDb - int2[0]!.sqnrDb);
    // mm3 at int2 in a uniform run also carries mm1's and mm2's int2 error
    expect(s[2]!.candidates[0]!.dropDb).toBeLessThan(int8[2]!.sqnrDb - int2[2]!.sqnrDb);
  });
});

describe('autoPrecisions', () => {
  it('RaPiD: hfp8 against int4 and int2; an architecture without an 8-bit mode is refused', () => {
    expect(autoPrecisions(loadArch('rapid'))).toEqual({ baseline: 'hfp8', candidates: ['int4', 'int2'] });
    expect(() => autoPrecisions(loadArch('eyeriss'))).toThrow(/eyeriss has no 8-bit precision mode/);
  });
});
