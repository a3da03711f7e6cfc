import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { execute } from '../../src/execute/execute.js';
import { seededInputs } from '../../src/execute/inputs.js';
import { onnxParams } from '../../src/execute/params.js';
import { sharedDir } from '../../src/util/shared.js';
import { importOnnx } from '../../src/workload/onnx/import.js';
import { ortFeeds, ortSession } from './ort.js';

/**
 * The executor against onnxruntime-web (its WebAssembly CPU build) on real
 * PyTorch exports with their own weights, on the same seeded inputs. The
 * tolerance: |a − b| ≤ 1e-4 · max|b| + 1e-3 · |b| per element (fp32 sums in
 * a different order; the executor accumulates in fp64).
 */
const models = ['squeezenet1_1', 'mobilenet_v2', 'gpt_mini'];
const present = existsSync(sharedDir('models'));
if (!present) console.log(`skipping the onnxruntime-web comparison: ${sharedDir('models')} is absent`);

describe.skipIf(!present)('executor vs onnxruntime-web', () => {
  it.each(models)('%s', async (name) => {
    const file = sharedDir('models', `${name}.onnx`);
    const graph = importOnnx(file);
    const feeds = seededInputs(graph, 3);
    const ours = execute(graph, feeds, onnxParams(file));
    const session = await ortSession(file);
    const theirs = await session.run(ortFeeds(feeds));
    for (const out of graph.outputs) {
      const a = ours[out]!.data, b = theirs[out]!.data as Float32Array;
      expect(a.length).toBe(b.length);
      let scale = 0;
      for (const v of b) scale = Math.max(scale, Math.abs(v));
      expect(scale).toBeGreaterThan(0);
      const outside: string[] = [];
      for (let i = 0; i < b.length; i++) if (!(Math.abs(a[i]! - b[i]!) <= 1e-4 * scale + 1e-3 * Math.abs(b[i]!))) outside.push(`${i}: ${a[i]} vs ${b[i]}`);
      expect(outside.slice(0, 5)).toEqual([]);
    }
  }, 60_000);
});
