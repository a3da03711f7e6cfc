import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isAccelmapError } from '../../src/util/errors.js';
import type { Graph, TensorType } from '../../src/workload/graph.js';
import { MAX_FOLDED_ELEMENTS } from '../../src/workload/shape.js';
import { importModel, kindFor } from '../../src/workload/onnx/import.js';
import { readModelFile, readTensorFile, type OnnxModel } from '../../src/workload/onnx/proto.js';
import { sharedDir } from '../../src/util/shared.js';

/**
 * The ONNX project's backend test cases: a model plus recorded inputs and
 * outputs (serialized TensorProtos). A case is checked when accelmap has an
 * op kind for each of its nodes: it is imported and every inferred output
 * shape is compared with the recorded output's dims.
 */
export interface OnnxCase {
  folder: string;
  name: string;
  model: string;
  inputs: string[];
  outputs: string[];
}

export const CASE_FOLDERS = ['node', 'light', 'pytorch-converted', 'pytorch-operator', 'simple'] as const;

export function listCases(folder: string): OnnxCase[] {
  const dir = sharedDir('onnx-tests', folder);
  if (!existsSync(dir)) return [];
  if (folder === 'light') {
    // light/<name>.onnx with <name>_output_0.pb beside it; inputs come from the model
    return readdirSync(dir)
      .filter((f) => f.endsWith('.onnx'))
      .sort()
      .map((f) => {
        const name = f.slice(0, -5);
        return { folder, name, model: join(dir, f), inputs: [], outputs: [join(dir, `${name}_output_0.pb`)] };
      });
  }
  return readdirSync(dir)
    .sort()
    .filter((c) => existsSync(join(dir, c, 'model.onnx')))
    .map((c) => {
      const data = join(dir, c, 'test_data_set_0');
      const files = existsSync(data) ? readdirSync(data) : [];
      const numbered = (prefix: string) =>
        files
          .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
          .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)))
          .map((f) => join(data, f));
      return { folder, name: c, model: join(dir, c, 'model.onnx'), inputs: numbered('input_'), outputs: numbered('output_') };
    });
}

export type CaseResult =
  | { status: 'unsupported'; ops: string[] }
  | { status: 'ok'; checked: number }
  | { status: 'mismatch'; detail: string }
  | { status: 'error'; detail: string; clean: boolean };

/** Op types accelmap has no kind for, and non-tensor graph values (sequences, optionals, maps), which it does not model. */
function unsupportedFeatures(m: OnnxModel): string[] {
  const ops = m.graph.nodes.filter((n) => !kindFor(n)).map((n) => (n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType));
  const values = [...m.graph.inputs, ...m.graph.outputs].filter((vi) => vi.typeKind !== 'tensor').map((vi) => `${vi.typeKind} values`);
  return [...new Set([...ops, ...values])];
}

/** Input types for a case: declared shapes where static, else the recorded input's dims; recorded values of small inputs. */
function caseInputs(c: OnnxCase, m: OnnxModel): Record<string, TensorType> {
  const init = new Set(m.graph.initializers.map((t) => t.name));
  const real = m.graph.inputs.filter((vi) => !init.has(vi.name));
  const out: Record<string, TensorType> = {};
  real.forEach((vi, i) => {
    const file = c.inputs[i];
    if (!file) return;
    const t = readTensorFile(file);
    const declaredStatic = vi.shape?.every((d) => d.value !== undefined && d.value >= 0 && d.param === undefined);
    const shape = declaredStatic ? vi.shape!.map((d) => d.value!) : t.dims;
    const type: TensorType = { shape, dtype: vi.dtype ?? t.dtype! };
    if (t.value && t.value.length <= MAX_FOLDED_ELEMENTS && shape.join() === t.dims.join()) type.value = t.value;
    out[vi.name] = type;
  });
  return out;
}

export function runCase(c: OnnxCase): CaseResult {
  const m = readModelFile(c.model);
  const ops = unsupportedFeatures(m);
  if (ops.length) return { status: 'unsupported', ops };
  let g: Graph;
  try {
    g = importModel(m, c.model, { inputs: caseInputs(c, m) });
  } catch (e) {
    return { status: 'error', detail: isAccelmapError(e) ? e.render() : String((e as Error).stack), clean: isAccelmapError(e) };
  }
  const bad: string[] = [];
  c.outputs.forEach((file, i) => {
    const name = g.outputs[i];
    const expected = readTensorFile(file).dims;
    const got = name === undefined ? undefined : g.tensors[name]?.shape;
    if (!got || got.join() !== expected.join() || got.length !== expected.length) bad.push(`output ${i} '${name}': expected [${expected}], got ${got ? `[${got}]` : 'nothing'}`);
  });
  return bad.length ? { status: 'mismatch', detail: bad.join('; ') } : { status: 'ok', checked: c.outputs.length };
}
