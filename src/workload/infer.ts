import { AccelmapError, isAccelmapError } from '../util/errors.js';
import type { Graph, Node, Tensor, TensorKind, TensorType } from './graph.js';
import { registry } from './ops/index.js';

/** The error for a node input that names no tensor defined before the node. */
export function undefinedInput(name: string, nodeName: string): AccelmapError {
  return new AccelmapError('shape', `input '${name}' is produced by no earlier node and is not a graph input or weight`, { path: `node ${nodeName}` });
}

/** Input types of a node, `undefined` for omitted optional inputs. */
export function nodeInputTypes(graph: Graph, node: Node): (TensorType | undefined)[] {
  return node.inputs.map((name) => {
    if (name === '') return undefined;
    const t = graph.tensors[name];
    if (!t) throw undefinedInput(name, node.name);
    return t;
  });
}

/**
 * Op kinds outside data movement that ONNX lets read strings. Every other
 * computing op is given numbers: a string operand is refused before its shape
 * rule and counts run (they would count FLOPs on text).
 */
const STRING_OPS: ReadonlySet<string> = new Set(['Cast', 'CastLike', 'Equal', 'Where', 'Unique']);

function checkElementTypes(node: Node, inputs: readonly (TensorType | undefined)[]): void {
  const op = registry.get(node.op);
  if (op.opClass === 'data-movement' || STRING_OPS.has(node.op)) return;
  const k = inputs.findIndex((t) => t?.dtype === 'string');
  if (k >= 0) throw new AccelmapError('bad-input', `${node.op} does not take strings, but its input '${node.inputs[k]}' is a string tensor`, { path: `node ${node.name}` }, 'only data-movement ops (and Cast, Equal, Where, Unique) read string tensors');
}

export function nodeOutputTypes(graph: Graph, node: Node): TensorType[] {
  return node.outputs.map((name) => graph.tensors[name]!).filter(Boolean);
}

/** Wraps an AccelmapError from an op's shape rule with the node's name. */
export function atNode(e: unknown, node: Node): unknown {
  if (isAccelmapError(e) && !e.location.path) return e.at({ path: `node ${node.name} (${node.op})` });
  return e;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Runs a node's shape rule and records its output tensors in the graph. An
 * output already declared with a different static shape is a contradiction.
 */
export function inferNode(graph: Graph, node: Node, kind: TensorKind = node.phase === 'forward' ? 'activation' : 'gradient'): void {
  const op = registry.get(node.op);
  const inputs = nodeInputTypes(graph, node);
  checkElementTypes(node, inputs);
  let outs: TensorType[];
  try {
    outs = op.infer(inputs, node.attrs);
  } catch (e) {
    throw atNode(e, node);
  }
  if (outs.length && !node.outputs.some(Boolean)) {
    throw new AccelmapError('bad-input', `has no outputs, but ${node.op} produces ${outs.length}`, { path: `node ${node.name}` }, 'name at least one output of the node, or remove it');
  }
  node.outputs.forEach((name, i) => {
    if (name === '') return;
    const t = outs[i];
    if (!t) throw new AccelmapError('shape', `has ${node.outputs.length} outputs, but ${node.op} produces ${outs.length}`, { path: `node ${node.name}` });
    const declared = graph.tensors[name];
    if (declared && !sameShape(declared.shape, t.shape)) {
      throw new AccelmapError('shape', `output '${name}' is declared [${declared.shape}] but ${node.op} gives [${t.shape}]`, { path: `node ${node.name}` });
    }
    const tensor: Tensor = { name, shape: t.shape, dtype: t.dtype, kind };
    if (t.value) tensor.value = t.value;
    if (declared?.savedForBackward) tensor.savedForBackward = true;
    graph.tensors[name] = tensor;
  });
}

/** Shape inference over the whole graph, in node order. */
export function inferGraph(graph: Graph): Graph {
  for (const node of graph.nodes) inferNode(graph, node);
  return graph;
}
