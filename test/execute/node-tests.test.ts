import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../../src/util/shared.js';
import { nodeCaseNames, runNodeCase } from './node-cases.js';

/**
 * Every ONNX node test the executor can run (the importer reads it, every
 * op has a kernel, the element types are held) must reproduce ONNX's
 * expected outputs. Cases it cannot run are counted, not hidden.
 */
const root = sharedDir('onnx-tests', 'node');
const present = existsSync(root);
if (!present) console.log(`skipping the ONNX node tests: ${root} is absent`);

describe.skipIf(!present)('ONNX node tests', () => {
  it('every runnable case matches the expected outputs', async () => {
    const results = [];
    for (const [i, n] of nodeCaseNames(root).entries()) {
      results.push(runNodeCase(join(root, n), n));
      // let the test runner's worker answer its messages during the long loop
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    const failed = results.filter((r) => r.status === 'fail').map((r) => `${r.name}: ${r.detail}`);
    const run = results.filter((r) => r.status !== 'skip').length;
    console.log(`ONNX node tests: ${run - failed.length} passed of ${run} run (${results.length - run} not run: no kernel, type or import)`);
    expect(failed).toEqual([]);
    // the executor's ops keep running: a change that silently skips whole families shows here
    expect(run).toBeGreaterThan(950);
  }, 120_000);
});
