import type { Graph, Node } from '../workload/graph.js';
import { blockedShape } from '../workload/ops/layout.js';
import { consumersOf, copyGraph, freshName, producersOf, pruneTensors, replaceUses } from './edit.js';
import type { CompileState, Pass, PassOptions } from './pass.js';

/**
 * Layout rewrite: convolutions, pools and element-wise ops run on
 * channels blocked by the accelerator's vector width, NCHW → NCHW[b]c
 * (workload/ops/layout.ts). Each such node is rewritten to read and write
 * blocked tensors with a LayoutTransform on either side; then every
 * 'unblock' followed directly by a 'block' of the same width cancels, so a
 * chain of blocked nodes keeps only the transforms at its edges. Weights
 * keep their OIHW layout. The table says how each op runs blocked.
 */
type Rule = 'wrap' | 'direct';

const RULES: Record<string, Rule> = {
  // an NCHW op inside a Blocked node
  Conv: 'wrap', MaxPool: 'wrap', AveragePool: 'wrap',
  // element-wise on tensors of one shape: the same op on any layout
  Add: 'direct', Mul: 'direct', Sub: 'direct', Relu: 'direct', LeakyRelu: 'direct', Sigmoid: 'direct', Tanh: 'direct', HardSigmoid: 'direct', HardSwish: 'direct', Elu: 'direct',
};

const planar = (g: Graph, t: string | undefined, b: number) => {
  const shape = t ? g.tensors[t]?.shape : undefined;
  return !!shape && shape.length === 4 && shape[1]! % b === 0;
};

function transform(at: Node, name: string, from: string, to: string, block: number, direction: 'block' | 'unblock'): Node {
  return { name, op: 'LayoutTransform', inputs: [from], outputs: [to], attrs: { block, direction }, phase: at.phase };
}

/** Inputs the node reads blocked (a wrapped op: its activation; an element-wise op: all, each the output's shape), or undefined when it stays NCHW. */
function blockedInputs(g: Graph, n: Node, b: number): number[] | undefined {
  const rule = RULES[n.op];
  const y = n.outputs[0];
  if (!rule || n.outputs.length !== 1 || n.attrs.training_mode || !planar(g, y, b)) return undefined;
  if (rule === 'wrap') return planar(g, n.inputs[0], b) ? [0] : undefined;
  const same = n.inputs.every((t) => t && g.tensors[t]!.shape.join() === g.tensors[y!]!.shape.join());
  return same ? n.inputs.map((_, i) => i) : undefined;
}

/** Every eligible node between 'block' transforms of its inputs and an 'unblock' of its output. */
function insert(g: Graph, b: number): Graph {
  const out = copyGraph(g);
  out.nodes = [];
  for (const n of g.nodes) {
    const which = blockedInputs(g, n, b);
    if (!which) {
      out.nodes.push(n);
      continue;
    }
    const inputs = [...n.inputs];
    for (const i of which) {
      const x = n.inputs[i]!;
      const xb = freshName(out, `${x}.nchw${b}c`);
      out.tensors[xb] = { ...g.tensors[x]!, name: xb, kind: 'activation', shape: blockedShape(g.tensors[x]!.shape, b) };
      delete out.tensors[xb]!.value;
      out.nodes.push(transform(n, `${n.name}.block${i}`, x, xb, b, 'block'));
      inputs[i] = xb;
    }
    const y = n.outputs[0]!;
    const yb = freshName(out, `${y}.nchw${b}c`);
    out.tensors[yb] = { ...g.tensors[y]!, name: yb, shape: blockedShape(g.tensors[y]!.shape, b) };
    const blocked: Node = RULES[n.op] === 'wrap'
      ? { ...n, op: 'Blocked', inputs, outputs: [yb], attrs: { op: n.op, block: b, inner: JSON.stringify(n.attrs) } }
      : { ...n, inputs, outputs: [yb] };
    out.nodes.push(blocked, transform(n, `${n.name}.unblock`, yb, y, b, 'unblock'));
  }
  return out;
}

const isTransform = (n: Node | undefined, direction: 'block' | 'unblock') => n?.op === 'LayoutTransform' && n.attrs.direction === direction;

/** A 'block' of a tensor an 'unblock' of the same width wrote reads the unblock's input instead; unblocks left unread go. */
export function cancelTransforms(g: Graph): Graph {
  const out = copyGraph(g);
  const producers = producersOf(out);
  const dropped = new Set<Node>();
  for (const n of out.nodes) {
    if (!isTransform(n, 'block')) continue;
    const u = out.nodes[producers.get(n.inputs[0]!) ?? -1];
    if (!u || !isTransform(u, 'unblock') || u.attrs.block !== n.attrs.block || out.outputs.includes(n.outputs[0]!)) continue;
    replaceUses(out, n.outputs[0]!, u.inputs[0]!);
    dropped.add(n);
  }
  out.nodes = out.nodes.filter((n) => !dropped.has(n));
  const readers = consumersOf(out);
  const outputs = new Set(out.outputs);
  out.nodes = out.nodes.filter((n) => !isTransform(n, 'unblock') || readers.has(n.outputs[0]!) || outputs.has(n.outputs[0]!));
  pruneTensors(out);
  return out;
}

export const layout: Pass = {
  name: 'layout',
  description: 'run Conv, pools and element-wise activations on channels blocked by --block (NCHW[b]c), transforms only where the layout changes',
  training: false,
  run: (s: CompileState, o: PassOptions) => ({ ...s, graph: cancelTransforms(insert(s.graph, o.block)) }),
};
