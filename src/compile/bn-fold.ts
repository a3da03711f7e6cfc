import type { Graph, Node } from '../workload/graph.js';
import { knownValue, type DerivedWeight } from './derived.js';
import { consumersOf, copyGraph, freshName, producersOf, pruneTensors } from './edit.js';
import type { CompileState, Pass } from './pass.js';

/**
 * BatchNormalization folding (inference): a BatchNormalization whose input
 * is read by nothing else and comes from a Conv, a Gemm or a rank-2 MatMul
 * with a stored weight disappears into it: the weight is scaled per output
 * channel and the bias absorbs the shift. The table says, per producer, which
 * axis of the weight is the output channel and how the node is rebuilt.
 */
interface FoldRule {
  /** Axis of the weight (input 1) that indexes output channels, or undefined when this node cannot take the fold. */
  channelAxis(n: Node, g: Graph): number | undefined;
  /** The producer rebuilt with the new weight and bias. */
  rebuild(n: Node, weight: string, bias: string): Node;
}

const stored = (g: Graph, name: string | undefined) => !!name && (g.tensors[name]?.kind === 'weight' || g.tensors[name]?.kind === 'constant');

const RULES: Record<string, FoldRule> = {
  Conv: {
    channelAxis: (n, g) => (stored(g, n.inputs[1]) ? 0 : undefined),
    rebuild: (n, w, b) => ({ ...n, inputs: [n.inputs[0]!, w, b] }),
  },
  Gemm: {
    // C must be absent or a per-output vector; alpha, beta scale what the fold moves
    channelAxis: (n, g) => {
      const c = n.inputs[2] ? g.tensors[n.inputs[2]] : undefined;
      if (!stored(g, n.inputs[1]) || n.attrs.alpha !== 1 || (c && (n.attrs.beta !== 1 || c.shape.length !== 1 || !stored(g, c.name)))) return undefined;
      return n.attrs.transB ? 0 : 1;
    },
    rebuild: (n, w, b) => ({ ...n, inputs: [n.inputs[0]!, w, b] }),
  },
  MatMul: {
    channelAxis: (n, g) => (stored(g, n.inputs[1]) && g.tensors[n.inputs[0]!]?.shape.length === 2 && g.tensors[n.inputs[1]!]?.shape.length === 2 ? 1 : undefined),
    rebuild: (n, w, b) => ({ ...n, op: 'Gemm', inputs: [n.inputs[0]!, w, b], attrs: { alpha: 1, beta: 1, transA: 0, transB: 0 } }),
  },
};

function fold(s: CompileState): CompileState {
  const g = copyGraph(s.graph);
  const derived = [...s.derived];
  const readers = consumersOf(s.graph);
  const producers = producersOf(s.graph);
  const outputs = new Set(g.outputs);
  const dropped = new Set<number>();
  g.nodes.forEach((bn, i) => {
    if (bn.op !== 'BatchNormalization' || bn.attrs.training_mode || bn.outputs.length > 1) return;
    const x = bn.inputs[0]!;
    const p = producers.get(x);
    if (p === undefined || dropped.has(p) || readers.get(x)!.length !== 1 || outputs.has(x)) return;
    const prod = g.nodes[p]!;
    const rule = RULES[prod.op];
    const axis = rule?.channelAxis(prod, g);
    if (!rule || axis === undefined || !bn.inputs.slice(1, 5).every((t) => stored(g, t))) return;
    const [, scale, shift, mean, variance] = bn.inputs as [string, string, string, string, string];
    const w = g.tensors[prod.inputs[1]!]!;
    const eps = bn.attrs.epsilon as number;
    const channels = w.shape[axis]!;
    const wName = freshName(g, `${w.name}.bn_folded`);
    const bName = freshName(g, `${prod.name}.bn_folded_bias`);
    const wd: DerivedWeight = { name: wName, rule: 'bn-weight', from: [w.name, scale, variance], eps, axis };
    const bd: DerivedWeight = { name: bName, rule: 'bn-bias', from: [prod.inputs[2] ?? '', scale, shift, mean, variance], eps };
    g.tensors[wName] = { ...w, name: wName, kind: 'weight' };
    g.tensors[bName] = { name: bName, shape: [channels], dtype: w.dtype, kind: 'weight' };
    delete g.tensors[wName]!.value;
    knownValue(g, wd);
    knownValue(g, bd);
    derived.push(wd, bd);
    // the producer now writes the BatchNormalization's output
    g.nodes[p] = { ...rule.rebuild(prod, wName, bName), outputs: [bn.outputs[0]!] };
    g.tensors[bn.outputs[0]!] = { ...g.tensors[bn.outputs[0]!]!, dtype: g.tensors[x]!.dtype };
    dropped.add(i);
  });
  g.nodes = g.nodes.filter((_, i) => !dropped.has(i));
  pruneTensors(g);
  return { graph: g, derived };
}

export const foldBatchNorm: Pass = {
  name: 'bn-fold',
  description: 'fold inference BatchNormalization into the Conv, Gemm or MatMul before it (weights scaled, bias shifted)',
  training: false,
  run: fold,
};
