import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasShared, sharedDir } from '../../src/util/shared.js';
import { fuzzModel } from './fuzz.js';

/**
 * Random truncations and byte flips of real models: every case imports or is
 * refused with a one-line AccelmapError naming the file — nothing else
 * escapes. (`npm run bench -- onnx-fuzz` runs many more cases.)
 */
const MODELS: [string, number][] = [
  ['models/squeezenet1_1.onnx', 4000],
  ['models/mobilenet_v2.onnx', 2000],
  ['models/gpt_mini.onnx', 2000],
  ['onnx-tests/light/light_bvlc_alexnet.onnx', 2500],
  ['onnx-tests/light/light_inception_v1.onnx', 1500],
  ['onnx-tests/light/light_resnet50.onnx', 1500],
  ['onnx-tests/light/light_shufflenet.onnx', 1500],
  ['onnx-tests/light/light_squeezenet.onnx', 3000],
  ['onnx-tests/light/light_vgg19.onnx', 3000],
  ['onnx-tests/light/light_zfnet512.onnx', 3000],
];

describe.skipIf(!hasShared('fuzzing the ONNX reader', 'onnx-tests', 'light'))('fuzzing the ONNX reader', () => {
  let total = 0;
  for (const [path, cases] of MODELS) {
    it(`${path}: ${cases} mutated copies import or fail cleanly`, () => {
      const file = sharedDir(path);
      const report = fuzzModel(new Uint8Array(readFileSync(file)), file, cases, 20261121);
      total += report.cases;
      expect(report.escaped).toEqual([]);
      expect(report.imported + report.rejected).toBe(cases);
      // both outcomes occur: the mutations reach the structure, not only weight bytes
      expect(report.rejected).toBeGreaterThan(cases / 10);
      expect(report.imported).toBeGreaterThan(0);
    });
  }
  it('ran tens of thousands of cases', () => {
    console.log(`fuzzed ${total} mutated models`);
    expect(total).toBeGreaterThanOrEqual(20000);
  });
});
