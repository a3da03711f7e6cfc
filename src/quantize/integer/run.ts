import { runNode, type Feeds } from '../../execute/execute.js';
import { fromNumbers, type Value } from '../../execute/value.js';
import { AccelmapError } from '../../util/errors.js';
import { numel } from '../../workload/graph.js';
import { codeRange, quantizer, type HostLayer, type QGraph, type QLayer } from './graph.js';
import { referenceLayer, type Codes } from './kernels.js';

/** Runs one integer layer on its inputs' codes (in the layer's input order); `elements` is the output's size. */
export type LayerRunner = (layer: Exclude<QLayer, { kind: 'host' }>, inputs: Codes[], elements: number) => Codes;

export interface QRun {
  /** Graph outputs, dequantized to float32 (value = code · scale). */
  outputs: Record<string, Value>;
  /** Every activation's codes, by tensor name. */
  codes: Map<string, Codes>;
}

/**
 * Runs the integer graph: inputs quantized at their calibrated formats, each
 * integer layer by `runLayer` (default: the integer kernels), each host layer
 * in fp32 on dequantized inputs (the reference executor's kernel) with its
 * outputs quantized again.
 */
export function runQGraph(q: QGraph, feeds: Feeds, runLayer: LayerRunner = (l, inputs) => referenceLayer(l, inputs), progress?: (done: number, total: number) => void): QRun {
  const codes = new Map<string, Codes>();
  const raw = new Map<string, Value>();
  const quantize = (t: string, v: ArrayLike<number>) => {
    const f = q.formats.get(t)!;
    codes.set(t, Int32Array.from(v, quantizer(f.scale, codeRange(f))));
  };
  for (const name of q.graph.inputs) {
    const v = feeds[name];
    if (!v) throw new AccelmapError('bad-input', `no value for graph input '${name}'`, {}, `the graph's inputs: ${q.graph.inputs.join(', ')}`);
    if (q.formats.has(name)) quantize(name, v.data);
    else raw.set(name, v);
  }
  const codesOf = (t: string) => {
    const c = codes.get(t);
    if (!c) throw new Error(`integer run: no codes for '${t}'`);
    return c;
  };
  q.layers.forEach((l, i) => {
    if (l.kind === 'host') runHost(q, l, codes, raw, quantize);
    else codes.set(l.output, runLayer(l, l.inputs.map(codesOf), numel(q.graph.tensors[l.output]!.shape)));
    progress?.(i + 1, q.layers.length);
  });
  const outputs: Record<string, Value> = {};
  for (const name of q.graph.outputs) outputs[name] = dequantize(q, name, codesOf(name));
  return { outputs, codes };
}

function dequantize(q: QGraph, name: string, c: Codes): Value {
  const scale = q.formats.get(name)!.scale;
  return fromNumbers({ shape: q.graph.tensors[name]!.shape, dtype: 'float32' }, Float32Array.from(c, (x) => x * scale));
}

/** A host layer: fp32 on dequantized inputs, float outputs quantized; outputs of other types (shapes, indices) kept in `raw`. */
function runHost(q: QGraph, l: HostLayer, codes: Map<string, Codes>, raw: Map<string, Value>, quantize: (t: string, v: ArrayLike<number>) => void): void {
  const { node } = l;
  const graph = q.graph;
  const inputs = node.inputs.map((name) => {
    if (!name) return undefined;
    const c = codes.get(name);
    if (c) return dequantize(q, name, c);
    if (raw.has(name)) return raw.get(name);
    const t = graph.tensors[name]!;
    const v = t.value ? fromNumbers(t, t.value) : q.params(t);
    if (!v) throw new AccelmapError('bad-input', `tensor '${name}' (read by ${node.name}) has no values`);
    return v;
  });
  const results = runNode(graph, node, inputs);
  node.outputs.forEach((name, i) => {
    if (name && q.formats.has(name)) quantize(name, results[i]!.data);
    else if (name) raw.set(name, results[i]!);
  });
}
