import { describe, expect, it } from 'vitest';
import { searchDesigns, type SearchProblem } from './search.js';
import type { Design } from './space.js';

/** A synthetic trade-off over a 6×5×4 grid: bigger knobs are faster but larger; odd sums cost energy. */
function synthetic(admissible: (d: Design) => boolean = () => true): SearchProblem & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    cardinalities: [6, 5, 4],
    admissible,
    async evaluate(d) {
      calls.push(d.join(','));
      const [a, b, c] = d as [number, number, number];
      if (a === 5 && b === 4) return null; // cannot run
      return [100 / (1 + a + 2 * b) + c, a + b + c * c, ((a + b) % 2) + (3 - c)];
    },
  };
}

const key = (d: Design) => d.join(',');

describe('design search', () => {
  it('visits every admissible design once when the budget covers the space, so the front is exact', async () => {
    const admissible = (d: Design) => d[0]! + d[1]! <= 7;
    for (const strategy of ['nsga2', 'random'] as const) {
      const p = synthetic(admissible);
      const r = await searchDesigns(p, { strategy, budget: 1000, seed: 3 });
      const all: Design[] = [];
      for (let a = 0; a < 6; a++) for (let b = 0; b < 5; b++) for (let c = 0; c < 4; c++) if (admissible([a, b, c])) all.push([a, b, c]);
      expect(new Set(p.calls).size).toBe(p.calls.length);
      expect([...p.calls].sort()).toEqual(all.map(key).sort());
      expect(r.rejected).toBe(120 - all.length);
    }
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const a = synthetic(), b = synthetic(), c = synthetic();
    await searchDesigns(a, { strategy: 'nsga2', budget: 40, seed: 5 });
    await searchDesigns(b, { strategy: 'nsga2', budget: 40, seed: 5 });
    await searchDesigns(c, { strategy: 'nsga2', budget: 40, seed: 6 });
    expect(a.calls).toHaveLength(40);
    expect(b.calls).toEqual(a.calls);
    expect(c.calls).not.toEqual(a.calls);
  });

  it('proposes the same designs when a generation is evaluated at once, in batches of the population', async () => {
    for (const strategy of ['nsga2', 'random'] as const) {
      const one = synthetic(), all = synthetic();
      const batches: number[] = [];
      // a batch evaluator that finishes its designs in reverse order: the order of completion must not matter
      const batched: SearchProblem = { ...all, evaluateBatch: async (ds) => (batches.push(ds.length), (await Promise.all([...ds].reverse().map((d) => all.evaluate(d)))).reverse()) };
      const a = await searchDesigns(one, { strategy, budget: 30, seed: 4, population: 8 });
      const b = await searchDesigns(batched, { strategy, budget: 30, seed: 4, population: 8 });
      expect(b.evaluated).toEqual(a.evaluated);
      expect(b.front).toEqual(a.front);
      expect(batches).toEqual([8, 8, 8, 6]);
    }
  });

  it('returns the non-dominated feasible designs among those evaluated', async () => {
    const p = synthetic();
    const r = await searchDesigns(p, { strategy: 'nsga2', budget: 50, seed: 2 });
    const ok = r.evaluated.filter((e) => e.objectives);
    const front = r.front.map((i) => r.evaluated[i]!);
    for (const e of ok) {
      const dominated = ok.some((o) => o.objectives!.every((x, k) => x <= e.objectives![k]!) && o.objectives!.some((x, k) => x < e.objectives![k]!));
      expect(front.includes(e)).toBe(!dominated);
    }
  });
});

describe('design search with a time budget', () => {
  it('starts no design once the seconds have passed, and always runs the first', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (const strategy of ['nsga2', 'random'] as const) {
      const p = synthetic();
      const slow: SearchProblem = { ...p, evaluate: async (d) => (await sleep(40), p.evaluate(d)) };
      const started = performance.now();
      const r = await searchDesigns(slow, { strategy, budget: Infinity, seconds: 0.1, seed: 1 });
      const took = (performance.now() - started) / 1000;
      // each design takes ≥ 40 ms and none starts after 0.1 s: at most 3 start in time (at 0, ≥40 and ≥80 ms)
      expect(r.evaluated.length).toBeGreaterThanOrEqual(1);
      expect(r.evaluated.length).toBeLessThanOrEqual(3);
      expect(took).toBeGreaterThanOrEqual(0.1);
      const once = await searchDesigns(synthetic(), { strategy, budget: Infinity, seconds: 0, seed: 1 });
      expect(once.evaluated).toHaveLength(1);
    }
  });
});
