import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPLORE_MAPPER_DEFAULTS, explore, loadLayer, loadSpace, openStore, spaceSize, type ExploreOptions } from '../src/index.js';

const SPACE = 'test/fixtures/spaces/tiny.yaml';

describe('the exploration API from the library entry', () => {
  it('explores a space, keeps the designs in a store and reads them back on a rerun', async () => {
    const space = loadSpace(SPACE);
    expect(spaceSize(space)).toBe(8);
    const workloads = [{ name: 'conv', workload: loadLayer('conv:K=16,C=16,P=8,Q=8,R=3,S=3'), options: {} }];
    const file = join(mkdtempSync(join(tmpdir(), 'accelmap-api-explore-')), 'r.db');
    const store = openStore(file);
    const options: ExploreOptions = { objectives: ['latency', 'energy'], strategy: 'random', budget: 4, seed: 2, mapper: { ...EXPLORE_MAPPER_DEFAULTS, budget: { evaluations: 40 } }, store };
    const first = await explore(space, workloads, options);
    const again = await explore(space, workloads, options);
    store.close();
    expect(first.evaluated).toBe(4);
    expect(again.fromStore).toBe(4);
    expect(again.front).toEqual(first.front);
    // plain data: survives a JSON round trip unchanged
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
    // the front is exactly the feasible designs no other design beats in both objectives (brute force)
    const ok = first.designs.filter((d) => d.status === 'ok');
    const beats = (a: typeof ok[number], b: typeof ok[number]) => a.latencyS! <= b.latencyS! && a.energyPj! <= b.energyPj! && (a.latencyS! < b.latencyS! || a.energyPj! < b.energyPj!);
    expect(first.front.map((d) => d.hash).sort()).toEqual(ok.filter((d) => !ok.some((o) => beats(o, d))).map((d) => d.hash).sort());
    const reopened = openStore(file, { mustExist: true });
    expect(reopened.all().map((d) => d.hash)).toEqual(first.designs.map((d) => d.hash));
    reopened.close();
  }, 30_000);

  it('threads: designs side by side, the same designs and front; not together with an evaluator', async () => {
    const space = loadSpace(SPACE);
    const workloads = [{ name: 'conv', workload: loadLayer('conv:K=16,C=16,P=8,Q=8,R=3,S=3'), options: {} }];
    const options: ExploreOptions = { objectives: ['latency', 'energy'], strategy: 'nsga2', budget: 6, population: 4, seed: 2, mapper: { ...EXPLORE_MAPPER_DEFAULTS, budget: { evaluations: 40 } } };
    const { mapperCacheHits: _, ...one } = await explore(space, workloads, options);
    const { mapperCacheHits: __, ...two } = await explore(space, workloads, { ...options, threads: 2 });
    expect(two).toEqual(one);
    const evaluator = { evaluate: () => Promise.resolve() };
    await expect(explore(space, workloads, { ...options, threads: 2, evaluator })).rejects.toThrow(/threads is how many designs this process evaluates at once/);
  }, 30_000);
});
