import { AccelmapError, isAccelmapError } from '../util/errors.js';
import type { Graph, Node, Tensor, TensorKind, TensorType } from './graph.js';
import { registry } from './ops/index.js';

/** Input types of a node, `undefined` for omitted optional inputs. */
export function nodeInputTypes(graph: Graph, node: Node): (TensorType | undefined)[] {
  return node.inputs.map((name) => {
    if (name === '') return undefined;
    const t = graph.tensors[name];
    if (!t) throw new AccelmapError('shape', `input '${name}' is produced by no earlier node and is not a graph input or weight`, { path: `node ${node.name}` });
    return t;
  });
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
  let outs: TensorType[];
  try {
    outs = op.infer(nodeInputTypes(graph, node), node.attrs);
  } catch (e) {
    throw atNode(e, node);
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
