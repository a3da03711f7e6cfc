import type { Graph, Node } from '../workload/graph.js';
import { producers, storageRoot } from '../workload/train/saved.js';
import type { StepSpec } from './schedule.js';

/**
 * Checkpointing (Chen et al. 2016, "Training deep nets with sublinear
 * memory cost"): the forward pass is cut into segments; of what the
 * backward pass needs, only the tensors that cross a segment boundary (the
 * checkpoints) are kept, and each segment's forward nodes run again just
 * before the backward pass first needs what they produce.
 *
 * Boundaries can only be placed where exactly one activation crosses from
 * the nodes before to the nodes after (a chain's every layer; between the
 * blocks of a residual network, the modules of an Inception network, the
 * layers of a transformer). Of these cut points every k-th becomes a
 * boundary: k = round(√(cut points + 1)) by default, so about √n segments
 * of about √n pieces each. The last segment (the one with the loss) is not
 * recomputed: its backward pass follows at once.
 */
export interface RecomputePlan {
  specs: StepSpec[];
  /** Graph tensor behind each step's tensor name (recomputed copies are `<name>@recompute`). */
  tensorOf: (name: string) => string;
  /** Positions in the forward order where one activation crosses. */
  cutPoints: number;
  checkpointEvery: number;
  segments: number;
  /** Activations kept at the segment boundaries. */
  checkpoints: string[];
  /** Forward nodes run again in the backward pass, in order. */
  recomputed: string[];
  /** Tensors kept for backward that are dropped after the forward pass and recomputed. */
  dropped: string[];
}

const RECOMPUTED_SUFFIX = '@recompute';

export function planRecompute(graph: Graph, checkpointEvery?: number): RecomputePlan {
  const forward = graph.nodes.filter((n) => n.phase === 'forward');
  const later = graph.nodes.filter((n) => n.phase !== 'forward');
  if (graph.nodes.slice(forward.length).some((n) => n.phase === 'forward')) throw new Error(`graph ${graph.name}: a forward node after the backward pass has started`);
  const byOutput = producers(graph);
  const root = (t: string) => storageRoot(graph, t, byOutput);
  const index = new Map(forward.map((n, i) => [n, i]));

  // where each activation's storage is produced and last read in the forward pass
  const produced = new Map<string, number>();
  const lastRead = new Map<string, number>();
  forward.forEach((n, i) => {
    for (const o of n.outputs) if (o && graph.tensors[o]!.kind === 'activation' && root(o) === o) produced.set(o, i);
    for (const t of n.inputs) {
      if (!t) continue;
      const r = root(t);
      if (produced.has(r)) lastRead.set(r, i);
    }
  });

  // cut points: positions p (between forward nodes p−1 and p) crossed by exactly one activation
  const crossing = new Array<number>(forward.length + 1).fill(0);
  for (const [r, i] of produced) {
    const j = lastRead.get(r);
    if (j === undefined || j <= i) continue;
    crossing[i + 1]!++;
    crossing[j + 1]!--;
  }
  const cuts: number[] = [];
  for (let p = 1, open = crossing[0]!; p < forward.length; p++) {
    open += crossing[p]!;
    if (open === 1) cuts.push(p);
  }
  const k = checkpointEvery ?? Math.max(1, Math.round(Math.sqrt(cuts.length + 1)));
  const bounds = [0, ...cuts.filter((_, i) => (i + 1) % k === 0), forward.length];

  const checkpoints: string[] = [];
  const dropped: string[] = [];
  const recomputed: string[] = [];
  /** Dropped tensor → its recomputed copy. */
  const renamed = new Map<string, string>();
  /** Per segment: the nodes to run again and the dropped tensors that call for them. */
  const blocks: { nodes: Node[]; dropped: Set<string>; renamed: Map<string, string> }[] = [];
  for (let s = 0; s + 2 < bounds.length; s++) {
    const [start, end] = [bounds[s]!, bounds[s + 1]!];
    const drop = new Set<string>();
    for (let i = start; i < end; i++) {
      for (const o of forward[i]!.outputs) {
        if (!o || !graph.tensors[o]!.savedForBackward) continue;
        const r = root(o);
        const at = produced.get(r);
        if (at !== undefined && at >= start && (lastRead.get(r) ?? at) < end) drop.add(o);
      }
    }
    if (!drop.size) continue;
    // the dropped tensors' producers and, within the segment, everything they are computed from
    const need = new Set<Node>();
    const visit = (n: Node) => {
      if (need.has(n)) return;
      need.add(n);
      for (const t of n.inputs) {
        const p = t ? byOutput.get(t) : undefined;
        if (p && index.has(p) && index.get(p)! >= start) visit(p);
      }
    };
    for (const t of drop) visit(byOutput.get(t)!);
    const nodes = [...need].sort((a, b) => index.get(a)! - index.get(b)!);
    const own = new Map<string, string>();
    for (const n of nodes) for (const o of n.outputs) if (o) own.set(o, o + RECOMPUTED_SUFFIX);
    for (const t of drop) renamed.set(t, own.get(t)!);
    blocks.push({ nodes, dropped: drop, renamed: own });
    dropped.push(...drop);
    recomputed.push(...nodes.map((n) => n.name));
  }
  for (const b of bounds.slice(1, -1)) {
    for (const [r, i] of produced) if (i < b && (lastRead.get(r) ?? i) >= b) checkpoints.push(r);
  }

  const inserted = new Set<number>();
  const specs: StepSpec[] = forward.map((node) => ({ node, phase: 'forward', inputs: node.inputs, outputs: node.outputs }));
  for (const node of later) {
    blocks.forEach((b, i) => {
      if (inserted.has(i) || !node.inputs.some((t) => b.dropped.has(t))) return;
      inserted.add(i);
      for (const n of b.nodes) specs.push({ node: n, phase: 'recompute', inputs: n.inputs.map((t) => b.renamed.get(t) ?? t), outputs: n.outputs.map((t) => b.renamed.get(t) ?? t) });
    });
    specs.push({ node, phase: node.phase, inputs: node.inputs.map((t) => renamed.get(t) ?? t), outputs: node.outputs });
  }
  return {
    specs,
    tensorOf: (name) => (name.endsWith(RECOMPUTED_SUFFIX) ? name.slice(0, -RECOMPUTED_SUFFIX.length) : name),
    cutPoints: cuts.length,
    checkpointEvery: k,
    segments: bounds.length - 1,
    checkpoints,
    recomputed,
    dropped,
  };
}
