import { describe, expect, it } from 'vitest';
import { loadArch } from '../arch/load.js';
import { mappingFor } from '../mapping/mapping.js';
import { CostModel } from '../mapping/model.js';
import { parseLayerSpec } from '../problem/parse.js';
import { problemMacs } from '../problem/types.js';
import { loadGraph } from '../workload/load.js';
import { evaluate, searchMapping } from '../api/mapping.js';
import { sumCosts } from '../mapping/cost.js';
import { parseObjective } from '../search/objective.js';
import { partitions } from './cores.js';
import { layerWork, problemWork } from './layers.js';
import { mapGraph, mapWork } from './map.js';
import { planNetwork } from './plan.js';

describe('layers of a graph', () => {
  it('every compute op of a training graph lowers to loop nests with its MACs, and the cost model takes them', () => {
    const arch = loadArch('eyeriss');
    const works = layerWork(loadGraph('resnet18', { mode: 'train' }));
    const ops = new Set<string>();
    for (const w of works) {
      if (w.counts.macs === 0) continue;
      ops.add(w.op);
      expect(w.problems.length, w.name).toBeGreaterThan(0);
      expect(w.problems.reduce((s, p) => s + problemMacs(p.problem) * p.repeat, 0), w.name).toBe(w.counts.macs);
      for (const { problem } of w.problems) {
        // Everything iterated at DRAM, everything kept there: always a valid mapping.
        const m = mappingFor(problem, arch);
        problem.bounds.forEach((b, d) => (m.temporal[d] = b));
        for (let l = 1; l < arch.levels.length; l++) for (let s = 0; s < problem.dataSpaces.length; s++) m.keep[l * problem.dataSpaces.length + s] = 0;
        expect(new CostModel(problem, arch).evaluate(m)).toBe(true);
      }
    }
    expect([...ops].sort()).toEqual(expect.arrayContaining(['Conv', 'ConvGradInput', 'ConvGradWeight', 'Gemm']));
  });
});

describe('partitions across cores', () => {
  it('charge ring collectives by (n − 1)/n · S / B + (n − 1)·α', () => {
    const rapid = loadArch('rapid'); // 4 cores, 128 B/cycle per link, 8 cycles latency
    const p = parseLayerSpec('conv:K=64,C=64,P=56,Q=56,R=3,S=3');
    const parts = partitions(p, rapid.cores);
    expect(parts.map((x) => x.kind)).toEqual(['single', 'output-channels', 'spatial', 'input-channels']);
    const k = parts.find((x) => x.kind === 'output-channels')!;
    const inputBytes = 64 * 58 * 58 * 2; // C × (P+R−1) × (Q+S−1), 16-bit
    expect(k.transferCycles).toBe(Math.ceil((3 / 4) * (inputBytes / 128) + 3 * 8));
    expect(k.problem.bounds[p.dims.indexOf('K')]).toBe(16);
    const c = parts.find((x) => x.kind === 'input-channels')!;
    expect(c.transferCycles).toBe(Math.ceil((3 / 4) * ((64 * 56 * 56 * 2) / 128) + 3 * 8));
    expect(partitions(p, loadArch('eyeriss').cores).map((x) => x.kind)).toEqual(['single']);
  });
});

describe('whole networks', () => {
  it('totals add up, layers sit on or above their roofline, vector ops are priced', async () => {
    const r = await mapGraph(loadGraph('resnet18'), loadArch('eyeriss'), { dataflow: 'auto', metrics: ['edp', 'latency', 'energy'], strategy: 'anneal', budget: { evaluations: 600 }, seed: 1, threads: 1 });
    expect(r.totals.cycles).toBe(r.layers.reduce((s, l) => s + l.cycles, 0));
    expect(r.totals.macs).toBeCloseTo(1.814e9, -7);
    for (const l of r.layers) {
      if (l.kind === 'mapped') expect(l.ratio, l.name).toBeGreaterThanOrEqual(1);
      expect(l.cycles).toBeGreaterThanOrEqual(0);
    }
    expect(r.layers.some((l) => l.kind === 'vector' && l.cycles > 0)).toBe(true);
    // Identical shapes are searched once.
    expect(r.totals.distinctProblems).toBeLessThan(r.layers.filter((l) => l.kind === 'mapped').length);
  });
});

describe('determinism', () => {
  it('a seed gives the same mappings at any thread count (tasks below whole nests, run in any order)', async () => {
    const run = (threads: number) =>
      mapGraph(loadGraph('resnet18'), loadArch('eyeriss'), { dataflow: 'auto', metrics: ['edp', 'latency', 'energy'], strategy: 'hybrid', budget: { evaluations: 1000, patience: 300, gap: 0.02 }, seed: 9, threads });
    const [one, two, three] = [await run(1), await run(2), await run(3)];
    const summary = (r: Awaited<ReturnType<typeof run>>) => r.layers.map((l) => [l.name, l.cycles, l.energyPj, JSON.stringify(l.mapping)]);
    expect(summary(two)).toEqual(summary(one));
    expect(summary(three)).toEqual(summary(one));
    expect([two.totals.evaluations, three.totals.evaluations]).toEqual([one.totals.evaluations, one.totals.evaluations]);
  });
});

describe('the stages', () => {
  it('plan: compulsory words and the roofline by hand, identical nests listed once', () => {
    const arch = loadArch('eyeriss'); // DRAM 4 words per cycle
    const big = parseLayerSpec('conv:K=64,C=64,P=56,Q=56,R=3,S=3'), small = parseLayerSpec('conv:K=8,C=8,P=56,Q=56,R=1,S=1');
    const plan = planNetwork({ model: 'm', mode: 'infer', batch: 1, layers: [...problemWork('a', big), ...problemWork('b', small), ...problemWork('c', big)] }, arch);
    expect(plan.peakMacs).toBe(168);
    const [a, b, c] = plan.layers;
    // Weights K·C·R·S, inputs C·(P+R−1)·(Q+S−1), outputs K·P·Q.
    expect([a!.read, a!.written]).toEqual([64 * 64 * 9 + 64 * 58 * 58, 64 * 56 * 56]);
    expect(a!.roof).toEqual({ boundCycles: (64 * 64 * 56 * 56 * 9) / 168, bound: 'compute' });
    expect(b!.roof).toEqual({ boundCycles: (8 * 8 + 2 * 8 * 56 * 56) / 4, bound: 'memory' });
    expect(c!.nests[0]!.partitions[0]!.key).toBe(a!.nests[0]!.partitions[0]!.key);
    expect(Object.keys(plan.searches)).toHaveLength(2);
  });

  it('costs add in order, each as many times as it repeats', () => {
    const xs = [{ cycles: 2, energyPj: 3 }, { cycles: 5, energyPj: 7 }];
    expect(sumCosts(xs)).toEqual({ cycles: 7, energyPj: 10 });
    expect(sumCosts(xs, (x) => (x.cycles === 2 ? 10 : 1))).toEqual({ cycles: 25, energyPj: 37 });
    expect(sumCosts([])).toEqual({ cycles: 0, energyPj: 0 });
  });

  it('pick: a nest takes its best partition across the cores, transfers included, with the cost its worker gave', async () => {
    const arch = loadArch('rapid'); // 4 cores
    const layer = parseLayerSpec('conv:K=64,C=64,P=28,Q=28,R=3,S=3');
    const settings = { strategy: 'anneal' as const, budget: { evaluations: 800 }, seed: 3 };
    const r = await mapWork({ model: 'one', mode: 'infer', batch: 1, layers: problemWork('one', layer) }, arch, { ...settings, dataflow: 'auto', metrics: parseObjective('edp').metrics, threads: 2 });
    const got = r.layers[0]!.problems[0]!;
    // Each partition's per-core nest searched on its own, in this thread, and priced with its transfers by hand.
    const options = partitions(layer, arch.cores).map((part) => {
      const n = part.kind === 'single' ? 1 : 4;
      const { cost } = searchMapping(part.problem, arch, { ...settings, objective: 'edp' });
      return { part, n, cycles: cost.cycles + part.transferCycles, energyPj: cost.energyPj * n + part.transferEnergyPj };
    });
    expect(options.length).toBeGreaterThan(1);
    const want = options.reduce((a, b) => (b.cycles * b.energyPj < a.cycles * a.energyPj ? b : a));
    expect(got.partition.kind).toBe(want.part.kind);
    expect([got.cycles, got.energyPj]).toEqual([want.cycles, want.energyPj]);
    // The mapping reported, evaluated again here, costs what the worker said; its energy by level adds up to the total.
    const again = evaluate(got.partition.perCoreProblem, arch, got.mapping!);
    expect(again.energyPj * want.n + want.part.transferEnergyPj).toBe(got.energyPj);
    const byLevel = Object.values(got.energyByLevelPj).reduce((s, e) => s + e, 0);
    expect(Math.abs(byLevel / got.energyPj - 1)).toBeLessThan(1e-9);
  });
});
