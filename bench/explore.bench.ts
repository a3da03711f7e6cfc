// Design-space search quality on a small space enumerated exhaustively: the
// exact Pareto front comes from evaluating every design; NSGA-II and random
// search (several seeds) then run over the same evaluations (kept in memory,
// so only the first pass maps), and we report after how many evaluations each
// has found every design of the exact front. Also: design points per second
// of the exhaustive pass, and the share of time outside the mapper (a pass
// that reads every evaluation back from memory), both from this run.
// Then, on the shipped Eyeriss-like space (648 designs, also enumerated), the
// hypervolume of NSGA-II's and random search's fronts at equal evaluations,
// as a share of the exact front's (objectives scaled to [0, 1] over the
// whole space, reference point 1.1 in each).
import { loadLayer } from '../src/api/mapping.js';
import { explore, EXPLORE_MAPPER_DEFAULTS, type DesignStore, type ExploreObjective } from '../src/explore/explore.js';
import { hypervolume } from '../src/explore/pareto.js';
import { loadSpace, spaceSize } from '../src/explore/space.js';
import { presetPath } from '../src/util/paths.js';
import { smallEyerissSpace } from './small-space.js';
import type { StoredDesign } from '../src/store/store.js';

const space = smallEyerissSpace('bench-small');
const n = spaceSize(space);
const layer = 'conv:K=32,C=32,P=14,Q=14,R=3,S=3';
const workloads = [{ name: layer, workload: loadLayer(layer), options: {} }];
const objectives: ExploreObjective[] = ['latency', 'energy', 'area'];
const mapper = { ...EXPLORE_MAPPER_DEFAULTS, budget: { evaluations: 300 } };

const memory = new Map<string, StoredDesign>();
const store: DesignStore = { get: (h) => memory.get(h), put: (d) => (memory.has(d.hash) ? false : (memory.set(d.hash, d), true)) };

let t = performance.now();
const all = await explore(space, workloads, { objectives, strategy: 'random', budget: n, seed: 1, mapper, store });
const exhaustiveMs = performance.now() - t;
t = performance.now();
await explore(space, workloads, { objectives, strategy: 'random', budget: n, seed: 1, mapper, store });
const replayMs = performance.now() - t;
const exact = new Set(all.front.map((d) => d.hash));
console.log(`space: ${n} designs, ${all.evaluated} evaluated exhaustively (${all.infeasible} could not be mapped); exact front ${exact.size} designs over ${objectives.join(', ')}`);
console.log(`exhaustive pass: ${(exhaustiveMs / 1000).toFixed(1)} s, ${((all.evaluated / exhaustiveMs) * 1000).toFixed(1)} designs/s (mapper ${mapper.budget.evaluations} evaluations per nest); outside the mapper: ${((replayMs / exhaustiveMs) * 100).toFixed(1)}% of that time`);

/** Evaluations until every design of the exact front has been evaluated (then the running front equals it), or null. */
function evaluationsToExact(order: { hash: string }[]): number | null {
  const missing = new Set(exact);
  for (const [i, d] of order.entries()) {
    missing.delete(d.hash);
    if (missing.size === 0) return i + 1;
  }
  return null;
}

/** Share of the exact front among the first k evaluations. */
const recall = (order: { hash: string }[], k: number) => order.slice(0, k).filter((d) => exact.has(d.hash)).length / exact.size;
const quarter = Math.round(n / 4), half = Math.round(n / 2);

console.log(`strategy  seed  evaluations to the exact front (of ${n})  front found after ${quarter} / ${half} evaluations`);
for (const strategy of ['nsga2', 'random'] as const) {
  const counts: number[] = [];
  for (const seed of [1, 2, 3, 4, 5]) {
    const r = await explore(space, workloads, { objectives, strategy, budget: n, seed, mapper, store });
    const k = evaluationsToExact(r.designs);
    counts.push(k ?? NaN);
    const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
    console.log(`${strategy.padEnd(8)}  ${String(seed).padStart(4)}  ${String(k ?? 'not reached').padStart(38)}  ${pct(recall(r.designs, quarter))} / ${pct(recall(r.designs, half))}`);
  }
  const sorted = [...counts].sort((a, b) => a - b);
  console.log(`${strategy.padEnd(8)}  median ${sorted[2]} (${((sorted[2]! / n) * 100).toFixed(0)}% of the space)`);
}

const large = loadSpace(presetPath('spaces', 'eyeriss.yaml'));
const everything = await explore(large, workloads, { objectives, strategy: 'random', budget: spaceSize(large), seed: 1, mapper, store });
const ok = everything.designs.filter((d) => d.status === 'ok');
const lo = objectives.map((o) => Math.min(...ok.map((d) => d.objectives[o]!)));
const hi = objectives.map((o) => Math.max(...ok.map((d) => d.objectives[o]!)));
const scaled = (ds: typeof ok) => ds.filter((d) => d.status === 'ok').map((d) => objectives.map((o, k) => (d.objectives[o]! - lo[k]!) / (hi[k]! - lo[k]! || 1)));
const ref = objectives.map(() => 1.1);
const exactHv = hypervolume(scaled(everything.front), ref);
console.log(`\n${large.name}: ${spaceSize(large)} designs, ${everything.evaluated} pass the constraints; exact front ${everything.front.length} designs, hypervolume ${exactHv.toFixed(4)}`);
console.log('evaluations  nsga2 hypervolume share (5 seeds, median)  random (median)');
for (const budget of [24, 48, 96]) {
  const share = async (strategy: 'nsga2' | 'random') => {
    const v: number[] = [];
    for (const seed of [1, 2, 3, 4, 5]) v.push(hypervolume(scaled((await explore(large, workloads, { objectives, strategy, budget, seed, mapper, store })).front), ref) / exactHv);
    return v.sort((a, b) => a - b)[2]!;
  };
  console.log(`${String(budget).padStart(11)}  ${(await share('nsga2')).toFixed(3).padStart(40)}  ${(await share('random')).toFixed(3).padStart(15)}`);
}
