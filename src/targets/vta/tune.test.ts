import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../explore/hash.js';
import { lowerLayer } from './lower.js';
import type { GemmLayer } from '../../quantize/integer/graph.js';
import { layerSpace, scheduleAt } from './space.js';
import { loadVtaTarget } from './spec.js';
import { TuningLog, tuneLayer } from './tune.js';

/** A dense layer of 64 rows, 64 inputs, 48 outputs with a ReLU: on the default 1×16×16 intrinsic, 64 row vectors, 4 reduction and 3 output blocks. */
function dense(): GemmLayer {
  const n = 48, k = 64;
  return {
    kind: 'gemm', name: 'fc', nodes: [], inputs: ['x'], output: 'y', m: 64, k, n,
    bits: 8, weight: Int8Array.from({ length: n * k }, (_, i) => (i * 7) % 5 - 2), oddWeights: false, weightScales: new Float64Array(n).fill(1), bias: new Int32Array(n), shift: new Int32Array(n).fill(3), accBits: 32, bounds: { lo: 0, hi: 127 },
  };
}

/** Every distinct schedule of the space that fits, by brute force over the grid. */
function allSchedules(t: ReturnType<typeof loadVtaTarget>, l: GemmLayer): Set<string> {
  const space = layerSpace(t, l, l.m * l.n);
  const out = new Set<string>();
  const walk = (point: number[]): void => {
    if (point.length === space.axes.length) {
      const s = scheduleAt(space, point);
      if (space.fits(s)) out.add(canonicalJson(lowerLayer(t, l, l.m * l.n, s).schedule));
      return;
    }
    space.axes[point.length]!.values.forEach((_, i) => walk([...point, i]));
  };
  walk([]);
  return out;
}

describe('VTA schedule tuner on the design explorer\'s strategies', () => {
  const t = loadVtaTarget('vta', ['buffers.input=1KiB', 'buffers.weight=4KiB']);
  const l = dense();

  it('the space holds both epilogue places; a budget as large as the grid visits every schedule that fits (random)', async () => {
    const all = allSchedules(t, l);
    const places = new Set([...all].map((s) => (JSON.parse(s) as { epilogue: string }).epilogue));
    expect(places).toEqual(new Set(['fused', 'separate']));
    const grid = layerSpace(t, l, l.m * l.n).axes.reduce((n, a) => n * a.values.length, 1);
    const log = new TuningLog();
    await tuneLayer(t, l, l.m * l.n, log, grid + 1, 3, 'random');
    expect(new Set(log.records().map((r) => canonicalJson(r.schedule)))).toEqual(all);
  });

  it('deterministic for a seed; a rerun over the same log retraces the points without simulating; the best never loses to the default', async () => {
    for (const strategy of ['random', 'nsga2'] as const) {
      const [a, b] = [new TuningLog(), new TuningLog()];
      const added = await tuneLayer(t, l, l.m * l.n, a, 12, 5, strategy);
      await tuneLayer(t, l, l.m * l.n, b, 12, 5, strategy);
      expect(b.records()).toEqual(a.records());
      expect(added.length).toBeGreaterThan(1);
      expect(await tuneLayer(t, l, l.m * l.n, a, 12, 5, strategy)).toEqual([]);
      const key = added[0]!.key;
      expect(a.best(key)!.cycles).toBeLessThanOrEqual(added[0]!.cycles);
    }
  });
});
