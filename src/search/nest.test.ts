import { describe, expect, it } from 'vitest';
import { loadArch } from '../arch/load.js';
import { parseLayerSpec } from '../problem/parse.js';
import { problemKey } from '../problem/types.js';
import { applicable, DATAFLOWS } from './dataflows.js';
import { runTask, type JobOutcome, type SearchJob, type SearchTask } from './job.js';
import { SEED_DATAFLOWS, SEED_SHARE, searchNest, searchNestHere } from './nest.js';
import { compare, parseObjective } from './objective.js';

const inThisThread = (t: SearchTask) => Promise.resolve(runTask(t));
const objective = parseObjective('edp');
const conv = parseLayerSpec('conv:K=64,C=32,P=28,Q=28,R=3,S=3');
const arch = loadArch('eyeriss');
const job = (over: Partial<SearchJob>): SearchJob => ({ problem: conv, arch, dataflow: 'auto', metrics: objective.metrics, strategy: 'hybrid', budget: { evaluations: 8000, patience: 2000 }, seed: 4, ...over });

describe('a nest’s search', () => {
  it('auto is never worse than the quick solutions of ws, os or rs, and all is never worse than auto', async () => {
    const key = problemKey(conv);
    const auto = await searchNest(job({}), key, inThisThread);
    // The same plan driven in this thread, without promises.
    const untimed = (xs: JobOutcome[]) => xs.map(({ seconds: _, ...rest }) => rest);
    expect(untimed(searchNestHere(job({}), key, runTask).byDataflow)).toEqual(untimed(auto.byDataflow));
    // A quick solution: what `--dataflow d` finds on auto's seed share of the budget.
    const quick = { evaluations: Math.floor(8000 * SEED_SHARE), patience: 2000 };
    for (const d of SEED_DATAFLOWS) {
      const named = await searchNest(job({ dataflow: d, budget: quick }), key, inThisThread);
      expect(compare(objective, auto.best.cycles, auto.best.energyPj, named.best.cycles, named.best.energyPj), d).toBeLessThanOrEqual(0);
    }
    const all = await searchNest(job({ dataflow: 'all' }), key, inThisThread);
    expect(all.byDataflow.map((x) => x.dataflow)).toEqual([...DATAFLOWS.filter((d) => applicable(d, conv)), 'auto']);
    expect(compare(objective, all.best.cycles, all.best.energyPj, auto.best.cycles, auto.best.energyPj)).toBeLessThanOrEqual(0);
    // all's auto is auto's plan, run as it runs alone.
    expect(untimed(all.byDataflow.slice(-1))).toEqual(untimed(auto.byDataflow));
  });

  it('a seconds budget is spent, within 10%, by the nest’s tasks together', async () => {
    // auto's budget is split over 6 tasks, each with its start-up: long enough that start-ups are small beside it.
    for (const [dataflow, seconds] of [['auto', 1.5], ['rs', 1]] as const) {
      const r = await searchNest(job({ dataflow, budget: { seconds } }), problemKey(conv), inThisThread);
      expect(r.best.seconds, dataflow).toBeGreaterThanOrEqual(seconds * 0.9);
      expect(r.best.seconds, dataflow).toBeLessThanOrEqual(seconds * 1.1);
    }
  });
});
