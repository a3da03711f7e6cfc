import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { missingKernels, execute } from '../../src/execute/execute.js';
import { readTensorProtoFile } from '../../src/execute/tensor-proto.js';
import { canHold, type Value } from '../../src/execute/value.js';
import { isAccelmapError } from '../../src/util/errors.js';
import { importOnnx } from '../../src/workload/onnx/import.js';
import { isFloat } from '../../src/workload/dtype.js';

/**
 * ONNX's backend node tests (model.onnx, and input_N.pb and output_N.pb in each test_data_set_N folder,
 * output_N.pb) run through the importer and the executor. A case is run
 * when the importer reads it and every node has a kernel; it passes when
 * every output matches within ONNX's backend-test tolerance.
 */
export const RTOL = 1e-3;
export const ATOL = 1e-5;

export type NodeCase = { name: string; status: 'pass' | 'fail' | 'skip'; detail: string };

export function closeEnough(got: Value, want: Value): string | undefined {
  if (got.shape.join() !== want.shape.join()) return `shape [${got.shape}] vs [${want.shape}]`;
  for (let i = 0; i < want.data.length; i++) {
    const a = got.data[i]!, b = want.data[i]!;
    if (Number.isNaN(b) ? Number.isNaN(a) : a === b || Math.abs(a - b) <= ATOL + RTOL * Math.abs(b)) continue;
    return `element ${i}: ${a} vs ${b}`;
  }
  return undefined;
}

export function runNodeCase(dir: string, name: string): NodeCase {
  let graph;
  try {
    graph = importOnnx(join(dir, 'model.onnx'));
  } catch (e) {
    if (isAccelmapError(e)) return { name, status: 'skip', detail: `import: ${e.render()}` };
    throw e;
  }
  const missing = missingKernels(graph);
  if (missing.length) return { name, status: 'skip', detail: `no kernel: ${missing.join(', ')}` };
  const types = [...graph.inputs, ...graph.outputs].map((n) => graph.tensors[n]!.dtype);
  if (!types.every(canHold)) return { name, status: 'skip', detail: 'element type the executor does not hold' };
  const sets = readdirSync(dir).filter((f) => f.startsWith('test_data_set_'));
  for (const set of sets) {
    const at = (f: string) => join(dir, set, f);
    const feeds: Record<string, Value> = {};
    graph.inputs.forEach((inp, i) => {
      if (existsSync(at(`input_${i}.pb`))) feeds[inp] = readTensorProtoFile(at(`input_${i}.pb`)).value;
    });
    let outs: Record<string, Value>;
    try {
      outs = execute(graph, feeds, () => undefined);
    } catch (e) {
      if (isAccelmapError(e)) return { name, status: 'skip', detail: `run: ${e.render()}` };
      return { name, status: 'fail', detail: `threw ${(e as Error).message}` };
    }
    for (let i = 0; i < graph.outputs.length; i++) {
      if (!existsSync(at(`output_${i}.pb`))) continue;
      const want = readTensorProtoFile(at(`output_${i}.pb`)).value;
      const got = outs[graph.outputs[i]!]!;
      if (!isFloat(want.dtype) && got.dtype !== want.dtype) return { name, status: 'fail', detail: `output ${i} is ${got.dtype}, expected ${want.dtype}` };
      const why = closeEnough(got, want);
      if (why) return { name, status: 'fail', detail: `${set} output ${i}: ${why}` };
    }
  }
  return { name, status: 'pass', detail: '' };
}

export function nodeCaseNames(root: string): string[] {
  return readdirSync(root).filter((d) => existsSync(join(root, d, 'model.onnx'))).sort();
}
