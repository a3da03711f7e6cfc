import type { Graph, Node } from '../workload/graph.js';
import { blockedShape, blockedWeightShape } from '../workload/ops/layout.js';
import { knownValue, type DerivedWeight } from './derived.js';
import { consumersOf, copyGraph, freshName, producersOf, pruneTensors, replaceUses } from './edit.js';
import type { CompileState, Pass, PassOptions } from './pass.js';
import { commonSubexpressions } from './simplify.js';

/**
 * Layout rewrite: convolutions, pools and element-wise ops run on
 * channels blocked by the accelerator's vector width, NCHW → NCHW[b]c
 * (workload/ops/layout.ts). Each such node is rewritten to read and write
 * blocked tensors with a LayoutTransform on either side; then every
 * 'unblock' followed directly by a 'block' of the same width cancels, so a
 * chain of blocked nodes keeps only the transforms at its edges. A blocked
 * convolution's stored filters (one group, both channel counts multiples of
 * the block) are blocked once, when compiling, to OIHW[b]i[b]o (a
 * `block-weight` derived weight): no transform at run time. The table says
 * how each op runs blocked.
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

/**
 * Inputs the node reads blocked (a wrapped op: its activation; an element-wise
 * op: all, each the output's shape), or undefined when it stays NCHW. An
 * element-wise op goes blocked only after a blocked producer (`blocked`: the
 * tensors blocked nodes wrote): alone it would only add transforms, and
 * after an NCHW convolution it stays that convolution's epilogue.
 */
function blockedInputs(g: Graph, n: Node, b: number, blocked: Set<string>): number[] | undefined {
  const rule = RULES[n.op];
  const y = n.outputs[0];
  if (!rule || n.outputs.length !== 1 || n.attrs.training_mode || !planar(g, y, b)) return undefined;
  if (rule === 'wrap') return planar(g, n.inputs[0], b) ? [0] : undefined;
  const same = n.inputs.every((t) => t && g.tensors[t]!.shape.join() === g.tensors[y!]!.shape.join());
  return same && n.inputs.some((t) => blocked.has(t)) ? n.inputs.map((_, i) => i) : undefined;
}

/** The blocked copy of a convolution's stored filters (recorded in `derived`), or undefined when they stay OIHW. */
function blockedFilters(g: Graph, out: Graph, n: Node, b: number, derived: DerivedWeight[]): string | undefined {
  const w = n.inputs[1] ? g.tensors[n.inputs[1]] : undefined;
  if (n.op !== 'Conv' || (n.attrs.group ?? 1) !== 1 || w?.kind !== 'weight' || w.shape[0]! % b !== 0 || w.shape[1]! % b !== 0) return undefined;
  const name = `${w.name}.oihw${b}i${b}o`;
  if (out.tensors[name]) return name;
  out.tensors[name] = { ...w, name, shape: blockedWeightShape(w.shape, b) };
  delete out.tensors[name]!.value;
  const d: DerivedWeight = { name, rule: 'block-weight', from: [w.name], block: b };
  knownValue(out, d);
  derived.push(d);
  return name;
}

/** Every eligible node between 'block' transforms of its inputs and an 'unblock' of its output. */
function insert(g: Graph, b: number, derived: DerivedWeight[]): Graph {
  const out = copyGraph(g);
  out.nodes = [];
  const written = new Set<string>();
  for (const n of g.nodes) {
    const which = blockedInputs(g, n, b, written);
    if (!which) {
      out.nodes.push(n);
      continue;
    }
    written.add(n.outputs[0]!);
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
    const filters = blockedFilters(g, out, n, b, derived);
    if (filters) inputs[1] = filters;
    const blocked: Node = RULES[n.op] === 'wrap'
      ? { ...n, op: 'Blocked', inputs, outputs: [yb], attrs: { op: n.op, block: b, inner: JSON.stringify(n.attrs), weight_block: filters ? b : 0 } }
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
  description: 'run Conv, pools and element-wise activations on channels blocked by the target GEMM block or --block (NCHW[b]c), filters as OIHW[b]i[b]o, transforms only where the layout changes',
  training: false,
  run: (s: CompileState, o: PassOptions) => {
    const derived = [...s.derived];
    // the same tensor blocked for two readers is blocked once
    return { graph: commonSubexpressions(cancelTransforms(insert(s.graph, o.block, derived))), derived };
  },
};
