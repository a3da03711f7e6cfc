import { describe, expect, it } from 'vitest';
import { autoPrecisions, choosePrecisions, loadArch, loadGraph, measureSensitivity, type LayerSensitivity } from '../src/index.js';

const viaJson = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('reduced precision from the library entry', () => {
  it('measures each layer alone at the modes an architecture offers and chooses within a budget, all plain data', async () => {
    const graph = loadGraph('deepq', { imageSize: 44 });
    const { baseline, candidates } = autoPrecisions(loadArch('rapid'));
    const steps: string[] = [];
    const sensitivity = await measureSensitivity(graph, { baseline, candidates, seed: 2, onProgress: (m) => steps.push(m) });
    expect(viaJson(sensitivity)).toEqual(sensitivity);
    expect(sensitivity.map((l) => l.name)).toEqual(['conv1', 'conv2', 'conv3', 'fc4', 'fc5']);
    for (const l of sensitivity) expect(l.candidates.map((c) => c.precision)).toEqual(['int4', 'int2']);
    expect(steps.length).toBeGreaterThan(0);
    // a budget as large as the largest drop puts every inner layer at int2; none keeps them all at the baseline
    const worst = Math.max(...sensitivity.flatMap((l: LayerSensitivity) => l.candidates.map((c) => c.dropDb)));
    expect(choosePrecisions(sensitivity, { baseline, maxDropDb: worst, keepEnds: true }).map((c) => c.precision)).toEqual(['hfp8', 'int2', 'int2', 'int2', 'hfp8']);
    // at a budget of 0 dB a layer moves only to a candidate that costs it nothing (one may even gain)
    const strict = choosePrecisions(sensitivity, { baseline, maxDropDb: 0, keepEnds: false });
    strict.forEach((c, i) => {
      const drops = sensitivity[i]!.candidates.map((x) => x.dropDb);
      if (c.precision === baseline) expect(Math.min(...drops)).toBeGreaterThan(0);
      else expect(c.dropDb).toBeLessThanOrEqual(0);
    });
  });

  it('refuses a precision it does not know before running anything', () => {
    expect(() => measureSensitivity(loadGraph('deepq', { imageSize: 44 }), { baseline: 'int7' as never })).toThrow(/baseline 'int7' is not a precision/);
  });
});
