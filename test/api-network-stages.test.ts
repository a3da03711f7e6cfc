import { describe, expect, it } from 'vitest';
import {
  assembleNetwork, loadArch, loadGraph, loadLayer, mapNetwork, pickNetwork, planNetwork, searchMapping, searchNetwork,
  type FoundMapping, type NestSearch, type NetworkPlan, type Searched,
} from '../src/index.js';

/** Plain data: what JSON gives back. */
const viaJson = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

const settings = { budget: { evaluations: 800, patience: 200 }, seed: 4, threads: 1 } as const;

describe('the mapper as four stages from the library entry', () => {
  it('plan, search, pick and assemble by hand, each fed the previous one through JSON, give what mapNetwork gives', async () => {
    const arch = loadArch('eyeriss');
    const graph = loadGraph('alexnet');
    const plan = viaJson(planNetwork(graph, arch));
    const searched = viaJson(await searchNetwork(plan, arch, settings));
    expect(Object.keys(searched.results)).toEqual(Object.keys(plan.searches));
    const picked = viaJson(pickNetwork(plan, searched, arch));
    const byHand = assembleNetwork(plan, picked, searched, arch, settings);
    expect(byHand).toEqual(await mapNetwork(graph, arch, settings));
    expect(viaJson(byHand)).toEqual(byHand);
  });

  it("a user's own search (each nest searched with searchMapping) picks and assembles to mapNetwork's totals", async () => {
    const arch = loadArch('eyeriss');
    const graph = loadGraph('alexnet');
    const plan = planNetwork(graph, arch);
    const results: Record<string, NestSearch> = {};
    let evaluations = 0, valid = 0;
    for (const [key, problem] of Object.entries(plan.searches)) {
      const m = searchMapping(problem, arch, settings);
      const found: FoundMapping = { dataflow: m.dataflow, mapping: m.mapping, cost: m.cost, cycles: m.cost.cycles, energyPj: m.cost.energyPj, evaluated: m.evaluated, valid: m.valid, complete: m.complete, seconds: 0, log10Size: 0 };
      results[key] = { best: found, byDataflow: [found] };
      evaluations += m.evaluated;
      valid += m.valid;
    }
    const searched: Searched = { results, evaluations, valid, incomplete: 0 };
    const mine = assembleNetwork(plan, pickNetwork(plan, searched, arch), searched, arch, settings);
    const theirs = await mapNetwork(graph, arch, settings);
    expect(mine.totals).toEqual(theirs.totals);
    expect(mine.layers.map((l) => l.mapping)).toEqual(theirs.layers.map((l) => l.mapping));
  });

  it("a user's own pick (every nest on one core only) costs each layer what its one-core search found, and never beats mapNetwork's pick", async () => {
    const arch = loadArch('rapid'); // 4 cores: a nest may be split across them
    const layer = loadLayer('conv:K=64,C=64,P=28,Q=28,R=3,S=3');
    const plan = planNetwork(layer, arch);
    const searched = await searchNetwork(plan, arch, settings);
    const oneCore: NetworkPlan = {
      ...plan,
      layers: plan.layers.map((l) => ({ ...l, nests: l.nests.map((n) => ({ ...n, partitions: n.partitions.filter((p) => p.part.kind === 'single') })) })),
    };
    const net = assembleNetwork(oneCore, pickNetwork(oneCore, searched, arch), searched, arch, settings);
    const key = oneCore.layers[0]!.nests[0]!.partitions[0]!.key;
    const r = searched.results[key] as NestSearch;
    // one core, no transfers: the layer costs exactly its one-core search's best
    expect([net.totals.cycles, net.totals.energyPj]).toEqual([r.best.cycles, r.best.energyPj]);
    expect(net.layers[0]!.problems[0]!.partition.kind).toBe('single');
    const best = await mapNetwork(layer, arch, settings);
    expect(plan.layers[0]!.nests[0]!.partitions.length).toBeGreaterThan(1);
    expect(best.totals.cycles * best.totals.energyPj).toBeLessThanOrEqual(net.totals.cycles * net.totals.energyPj);
  });

  it('a pick given too few results for a layer says so in one line', async () => {
    const arch = loadArch('eyeriss');
    const plan = planNetwork(loadLayer('conv:K=16,C=16,P=8,Q=8,R=3,S=3'), arch);
    const searched = await searchNetwork(plan, arch, settings);
    expect(() => pickNetwork(plan, { ...searched, results: {} }, arch)).toThrow(/no search result for the loop nest/);
    expect(() => assembleNetwork(plan, { layers: [[]] }, searched, arch)).toThrow(/0 picks for its 1 loop nest\(s\)/);
  });
});
