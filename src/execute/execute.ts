import { AccelmapError } from '../util/errors.js';
import type { Graph, Node, Tensor } from '../workload/graph.js';
import { kernels } from './kernels/index.js';
import { fromNumbers, type Value } from './value.js';

/**
 * The reference executor: runs a Graph node by node on typed arrays.
 * Tensors whose value the graph already knows (folded constants, small
 * stored tensors) are used as they are; nodes whose outputs are all known
 * are skipped. Weights the graph does not carry come from a `ParamSource`
 * (the model file's own data, or values drawn from a seed). Every
 * intermediate value is dropped after its last reader.
 */
export type ParamSource = (tensor: Tensor) => Value | undefined;

export type Feeds = Record<string, Value>;

/** The op kinds of `graph` that no kernel computes (nodes whose outputs fold are not counted). */
export function missingKernels(graph: Graph): string[] {
  const ops = new Set<string>();
  for (const n of graph.nodes) if (!kernels.has(n.op) && !folded(graph, n)) ops.add(n.op);
  return [...ops].sort();
}

export function checkExecutable(graph: Graph): void {
  const missing = missingKernels(graph);
  if (missing.length) {
    throw new AccelmapError('unsupported', `the executor has no kernel for ${missing.join(', ')} (used by ${graph.name})`, {}, 'run `accelmap ops` for the op kinds; the executor computes a subset of them');
  }
}

function folded(graph: Graph, n: Node): boolean {
  return n.outputs.every((o) => !o || graph.tensors[o]?.value !== undefined);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export interface ExecuteOptions {
  /** Called after each node with the number of nodes run so far. */
  progress?: (done: number, total: number) => void;
  /** Replaces the value a node reads at input `index` (quantization); the value other readers see is unchanged. */
  transformInput?: (node: Node, index: number, value: Value) => Value;
  /** Called with each computed node's outputs. */
  observe?: (node: Node, outputs: Value[]) => void;
}

/** Runs `graph` on `feeds` (one value per graph input); returns every graph output by name. */
export function execute(graph: Graph, feeds: Feeds, params: ParamSource, o: ExecuteOptions = {}): Record<string, Value> {
  checkExecutable(graph);
  const env = new Map<string, Value>();
  for (const name of graph.inputs) {
    const t = graph.tensors[name]!;
    const v = feeds[name];
    if (!v) throw new AccelmapError('bad-input', `no value for graph input '${name}'`, {}, `the graph's inputs: ${graph.inputs.join(', ')}`);
    if (!sameShape(v.shape, t.shape)) throw new AccelmapError('bad-input', `input '${name}' has shape [${v.shape}], the graph expects [${t.shape}]`);
    if (v.dtype !== t.dtype) throw new AccelmapError('bad-input', `input '${name}' is ${v.dtype}, the graph expects ${t.dtype}`);
    env.set(name, v);
  }
  const remaining = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) if (i) remaining.set(i, (remaining.get(i) ?? 0) + 1);
  const keep = new Set(graph.outputs);

  const valueOf = (name: string, reader: string): Value => {
    const have = env.get(name);
    if (have) return have;
    const t = graph.tensors[name];
    if (!t) throw new Error(`graph ${graph.name}: ${reader} reads unknown tensor '${name}'`);
    const v = t.value ? fromNumbers(t, t.value) : params(t);
    if (!v) throw new AccelmapError('bad-input', `tensor '${name}' (${t.kind}, read by ${reader}) has no values`, {}, 'run a model file that stores its weights, or draw weights from a seed');
    if (!sameShape(v.shape, t.shape)) throw new AccelmapError('bad-input', `tensor '${name}' has shape [${v.shape}], the graph expects [${t.shape}]`);
    env.set(name, v);
    return v;
  };

  graph.nodes.forEach((node, k) => {
    if (!folded(graph, node)) {
      const inputs = node.inputs.map((name, i) => {
        if (!name) return undefined;
        const v = valueOf(name, `node ${node.name}`);
        return o.transformInput ? o.transformInput(node, i, v) : v;
      });
      const results = runNode(graph, node, inputs);
      node.outputs.forEach((name, i) => name && env.set(name, results[i]!));
      o.observe?.(node, results);
    }
    for (const name of node.inputs) {
      if (!name) continue;
      const left = remaining.get(name)! - 1;
      remaining.set(name, left);
      if (left === 0 && !keep.has(name)) env.delete(name);
    }
    o.progress?.(k + 1, graph.nodes.length);
  });
  const out: Record<string, Value> = {};
  for (const name of graph.outputs) out[name] = env.get(name) ?? valueOf(name, 'the graph outputs');
  return out;
}

/** Runs one node's kernel on its input values (undefined where an optional input is omitted): its outputs, each checked against the shape the graph gives it. */
export function runNode(graph: Graph, node: Node, inputs: (Value | undefined)[]): Value[] {
  const kernel = kernels.get(node.op);
  if (!kernel) throw new AccelmapError('unsupported', `the executor has no kernel for ${node.op} (node ${node.name})`);
  // an omitted optional output ('') gets an empty placeholder type
  const outputs = node.outputs.map((name) => graph.tensors[name] ?? { shape: [0], dtype: 'float32' as const });
  let results: Value[];
  try {
    results = kernel.run({ node, inputs, attrs: node.attrs, outputs, kernels });
  } catch (e) {
    throw e instanceof AccelmapError && !e.location.path ? e.at({ path: `node ${node.name} (${node.op})` }) : e;
  }
  node.outputs.forEach((name, i) => {
    if (!name) return;
    const r = results[i];
    if (!r || !sameShape(r.shape, outputs[i]!.shape)) throw new Error(`kernel ${node.op} gave node ${node.name} output ${i} shape [${r?.shape}], the graph says [${outputs[i]!.shape}]`);
  });
  return results;
}
