import { describe, expect, it } from 'vitest';
import { compileForVta, loadGraph, runOnVta, TuningLog } from '../src/index.js';

describe('the VTA backend through the library entry', () => {
  it('compiles, tunes into a log, runs bit-exact, and every result survives JSON', async () => {
    const graph = loadGraph('deepq', { imageSize: 36 });
    const log = new TuningLog();
    const r = await compileForVta(graph, { tune: 4, log, seed: 2 });
    expect(r.layers.map((l) => l.name)).toEqual(['conv1', 'conv2', 'conv3', 'fc4', 'fc5']);
    expect(r.compiled.host.map((h) => h.op)).toEqual(['Flatten']);
    expect(log.records()).toHaveLength(r.tuned.length);
    expect(r.totals.cycles).toBeLessThanOrEqual(r.untuned!.totals.cycles);
    expect(JSON.parse(JSON.stringify(r.layers))).toEqual(r.layers);
    const run = runOnVta(r.compiled);
    expect(run.bitExact).toBe(true);
    expect(run.fp32.map((a) => a.name)).toEqual(['fc5']);
  });
});
