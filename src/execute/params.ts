import { closeSync, openSync, readSync } from 'node:fs';
import { AccelmapError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { isFloat } from '../workload/dtype.js';
import { numel, type Graph } from '../workload/graph.js';
import { readModelFile, type OnnxTensor } from '../workload/onnx/proto.js';
import type { ParamSource } from './execute.js';
import { decodeTensorValue } from './tensor-proto.js';
import { alloc } from './value.js';

/**
 * Where weights come from. An ONNX file's own values: initializers and
 * Constant tensors are read from the bytes the workload reader skipped, and
 * ConstantOfShape placeholders (left by tools that strip weights) are filled
 * with their fill value. Or values drawn from a seed (zoo models): each
 * tensor from its own stream (seed and name), so a value does not depend on
 * the order tensors are asked for.
 */
export function onnxParams(file: string): ParamSource {
  const model = readModelFile(file);
  const stored = new Map<string, OnnxTensor>();
  const fills = new Map<string, number>();
  for (const t of model.graph.initializers) stored.set(t.name, t);
  for (const n of model.graph.nodes) {
    const attr = n.attributes.find((a) => a.name === 'value');
    if (n.opType === 'Constant' && attr?.t && n.outputs[0]) stored.set(n.outputs[0], attr.t);
    if (n.opType === 'ConstantOfShape' && n.outputs[0]) fills.set(n.outputs[0], attr?.t?.value?.[0] ?? 0);
  }
  return (t) => {
    const fill = fills.get(t.name);
    if (fill !== undefined) {
      const v = alloc(t.shape, t.dtype);
      v.data.fill(fill);
      return v;
    }
    const src = stored.get(t.name);
    if (!src?.span) return undefined;
    return decodeTensorValue({ bytes: readSpan(file, src.span.start, src.span.end), file }).value;
  };
}

function readSpan(file: string, start: number, end: number): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const out = new Uint8Array(end - start);
    if (readSync(fd, out, 0, out.length, start) !== out.length) throw new AccelmapError('bad-file', 'the model file is shorter than its tensors say', { file });
    return out;
  } finally {
    closeSync(fd);
  }
}

/** A stream of random numbers for one tensor: seeded by the seed and the tensor's name. */
export function streamFor(seed: number, name: string): Rng {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return new Rng(h >>> 0);
}

/** How a parameter is read, which decides a sensible range for random values. */
function roleOf(graph: Graph, name: string): { op: string; slot: number } | undefined {
  for (const n of graph.nodes) {
    const slot = n.inputs.indexOf(name);
    if (slot >= 0) return { op: n.op, slot };
  }
  return undefined;
}

/**
 * Random weights in the ranges trained networks have: matrices and filters
 * uniform in ±1/√fan-in (PyTorch's default initialization bound), normalization
 * scales and variances in [0.5, 1.5], other vectors (biases, shifts, means)
 * in ±0.1.
 */
export function seededParams(graph: Graph, seed: number): ParamSource {
  return (t) => {
    if (!isFloat(t.dtype)) return undefined;
    const rng = streamFor(seed, t.name);
    const v = alloc(t.shape, t.dtype);
    const role = roleOf(graph, t.name);
    const positive = role && ((role.op === 'BatchNormalization' && (role.slot === 1 || role.slot === 4)) || (/Normalization$/.test(role.op) && role.slot === 1));
    let lo = -0.1, hi = 0.1;
    if (positive) [lo, hi] = [0.5, 1.5];
    else if (t.shape.length >= 2) {
      const bound = 1 / Math.sqrt(numel(t.shape) / t.shape[0]!);
      [lo, hi] = [-bound, bound];
    }
    for (let i = 0; i < v.data.length; i++) v.data[i] = lo + (hi - lo) * rng.next();
    return v;
  };
}
