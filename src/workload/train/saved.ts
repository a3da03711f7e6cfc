import type { Graph, Node } from '../graph.js';

/**
 * What must survive from the forward pass to the backward pass: every
 * activation or graph input that a backward node reads. View ops (Reshape,
 * Flatten, Squeeze, Unsqueeze, Identity) move no data, so a view's storage
 * is its source's: when a backward node reads a view, both the view and the
 * tensor holding its storage (`storageRoot`) are marked.
 */
export const VIEW_OPS: ReadonlySet<string> = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity']);

export function producers(graph: Graph): Map<string, Node> {
  const byOutput = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) if (o) byOutput.set(o, n);
  return byOutput;
}

/** The tensor whose memory `name` occupies: itself, or the source of the chain of views it comes from. */
export function storageRoot(graph: Graph, name: string, byOutput: Map<string, Node> = producers(graph)): string {
  let t = name;
  for (let p = byOutput.get(t); p && VIEW_OPS.has(p.op) && p.inputs[0]; p = byOutput.get(t)) t = p.inputs[0];
  return t;
}

export function markSaved(graph: Graph): void {
  const byOutput = producers(graph);
  for (const node of graph.nodes) {
    if (node.phase !== 'backward') continue;
    for (const name of node.inputs) {
      if (!name) continue;
      for (const t of [name, storageRoot(graph, name, byOutput)]) {
        const tensor = graph.tensors[t]!;
        const fromForward = tensor.kind === 'input' || (tensor.kind === 'activation' && byOutput.get(t)?.phase === 'forward');
        if (fromForward) tensor.savedForBackward = true;
      }
    }
  }
}
