import { describe, expect, it } from 'vitest';
import { hasShared } from '../../src/util/shared.js';
import { CASE_FOLDERS, listCases, runCase, type OnnxCase } from './cases.js';

/**
 * The ONNX project's own backend test data is the authority on shapes: every
 * case whose ops accelmap supports is imported and each output's inferred
 * shape must equal the recorded output tensor's dims. The floors below only
 * guard against the supported set shrinking unnoticed.
 */
const SUPPORTED_AT_LEAST: Record<string, number> = { node: 1687, light: 9, 'pytorch-converted': 82, 'pytorch-operator': 35, simple: 7 };

describe.skipIf(!hasShared('the ONNX backend test data', 'onnx-tests'))('ONNX backend test data', () => {
  for (const folder of CASE_FOLDERS) {
    it(`${folder}: every supported case matches its recorded output shapes`, () => {
      const cases: OnnxCase[] = listCases(folder);
      expect(cases.length).toBeGreaterThan(0);
      const failures: string[] = [];
      let supported = 0;
      let outputs = 0;
      for (const c of cases) {
        const r = runCase(c);
        if (r.status === 'unsupported') continue;
        supported++;
        if (r.status === 'ok') outputs += r.checked;
        else failures.push(`${c.name}: ${r.detail}`);
      }
      console.log(`onnx-tests/${folder}: ${supported}/${cases.length} cases supported and checked (${outputs} output shapes)`);
      expect(failures).toEqual([]);
      expect(supported).toBeGreaterThanOrEqual(SUPPORTED_AT_LEAST[folder]!);
    });
  }

  it('a wrong recorded shape is reported as a mismatch', () => {
    const c = listCases('node').find((x) => x.name === 'test_add')!;
    // compare test_add's output against another case's recorded output of a different shape
    const other = listCases('node').find((x) => x.name === 'test_reduce_sum_keepdims_example')!;
    expect(runCase({ ...c, outputs: other.outputs }).status).toBe('mismatch');
  });
});
