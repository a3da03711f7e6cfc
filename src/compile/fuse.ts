import type { Graph, Node } from '../workload/graph.js';
import { registry } from '../workload/ops/index.js';
import { consumersOf, copyGraph, producersOf, pruneTensors } from './edit.js';
import type { CompileState, Pass } from './pass.js';

/**
 * Operator fusion with TVM's op patterns. Each op kind has a pattern
 * (PATTERN, else from its class); a node joins the group of the node that
 * produces one of its inputs when the table FUSES allows the group's kind
 * followed by the node's pattern, and the tensor between them is read by
 * nothing else, is not a graph output and (training) is not kept for the
 * backward pass — so it never needs to be written to memory. A group
 * becomes one FusedGroup node (workload/ops/fused.ts).
 */
export type Pattern = 'out-fusable' | 'elementwise' | 'injective' | 'reduction' | 'opaque';

const PATTERN: Record<string, Pattern> = {
  Conv: 'out-fusable', Blocked: 'out-fusable', ConvTranspose: 'out-fusable', Gemm: 'out-fusable', MatMul: 'out-fusable',
  // training: the gradient convolutions and products are loop nests too; the derivative of the activation before them
  // (an ElementwiseGrad, element-wise) becomes their epilogue
  ConvGradInput: 'out-fusable', ConvGradWeight: 'out-fusable', TransposedMatMul: 'out-fusable',
  // inference BatchNormalization is a per-channel scale and shift
  BatchNormalization: 'elementwise', Cast: 'elementwise', Clip: 'elementwise',
  Reshape: 'injective', Flatten: 'injective', Squeeze: 'injective', Unsqueeze: 'injective', Transpose: 'injective', Slice: 'injective', Expand: 'injective',
  Softmax: 'reduction', LogSoftmax: 'reduction', GlobalAveragePool: 'reduction', GlobalMaxPool: 'reduction', LayerNormalization: 'reduction',
};

export function patternOf(n: Node): Pattern {
  if (n.attrs.training_mode) return 'opaque';
  const p = PATTERN[n.op];
  if (p) return p;
  const cls = registry.has(n.op) ? registry.get(n.op).opClass : 'other';
  if (cls === 'elementwise' || cls === 'activation') return n.op === 'Dropout' ? 'opaque' : 'elementwise';
  if (cls === 'reduction') return 'reduction';
  return 'opaque';
}

/** [group kind, next node's pattern] → the group's kind after the node joins; absent: they do not fuse. */
const FUSES: Partial<Record<Pattern, Partial<Record<Pattern, Pattern>>>> = {
  // an epilogue of element-wise ops on the anchor's output
  'out-fusable': { elementwise: 'out-fusable' },
  // element-wise and injective chains
  elementwise: { elementwise: 'elementwise', injective: 'injective', reduction: 'reduction' },
  // a reduction may take injective inputs
  injective: { elementwise: 'injective', injective: 'injective', reduction: 'reduction' },
};

interface Group {
  kind: Pattern;
  members: number[];
}

function fuse(s: CompileState): CompileState {
  const g = s.graph;
  const readers = consumersOf(g);
  const producers = producersOf(g);
  const outputs = new Set(g.outputs);
  const groupOf = new Map<number, Group>();
  g.nodes.forEach((n, i) => {
    const pattern = patternOf(n);
    const live = n.outputs.filter(Boolean);
    if (pattern !== 'opaque' && live.length === 1) {
      for (const t of n.inputs) {
        const p = t ? producers.get(t) : undefined;
        const group = p !== undefined ? groupOf.get(p) : undefined;
        if (!group || group.members[group.members.length - 1] !== p) continue;
        const next = FUSES[group.kind]?.[pattern];
        const tensor = g.tensors[t!]!;
        if (!next || readers.get(t!)!.length !== 1 || outputs.has(t!) || tensor.savedForBackward) continue;
        group.kind = next;
        group.members.push(i);
        groupOf.set(i, group);
        return;
      }
    }
    const alone = n.outputs.filter(Boolean).length === 1 && pattern !== 'opaque' && pattern !== 'reduction';
    groupOf.set(i, { kind: alone ? pattern : 'opaque', members: [i] });
  });
  const out = copyGraph(g);
  const nodes: Node[] = [];
  g.nodes.forEach((_, i) => {
    const group = groupOf.get(i)!;
    const last = group.members[group.members.length - 1]!;
    if (i !== last) return;
    if (group.members.length === 1) {
      nodes.push(out.nodes[i]!);
      return;
    }
    nodes.push(fusedNode(g, group));
  });
  out.nodes = nodes;
  pruneTensors(out);
  return { ...s, graph: out };
}

function fusedNode(g: Graph, group: Group): Node {
  const members = group.members.map((i) => g.nodes[i]!);
  const internal = new Set(members.slice(0, -1).flatMap((m) => m.outputs));
  const inputs: string[] = [];
  for (const m of members) for (const t of m.inputs) if (t && !internal.has(t) && !inputs.includes(t)) inputs.push(t);
  const first = members[0]!;
  const output = members[members.length - 1]!.outputs.filter(Boolean);
  const anchor = group.kind === 'out-fusable' ? first.op : '';
  const body = members.map((m) => ({ name: m.name, op: m.op, inputs: m.inputs, outputs: m.outputs, attrs: m.attrs, phase: m.phase }));
  return {
    name: `${first.name}+${members.slice(1).map((m) => m.op).join('+')}`,
    op: 'FusedGroup',
    inputs,
    outputs: output,
    attrs: { body: JSON.stringify(body), inputs, outputs: output, anchor },
    phase: first.phase,
  };
}

export const fuseOps: Pass = {
  name: 'fuse',
  description: 'fuse element-wise epilogues into convolutions and matrix products, element-wise and injective chains, injective inputs into reductions (TVM patterns)',
  training: true,
  run: fuse,
};
