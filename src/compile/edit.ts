import type { Graph, Node } from '../workload/graph.js';

/** Small graph edits the passes share. Passes never mutate their input graph: they copy what they change. */
export function copyGraph(g: Graph): Graph {
  return { ...g, tensors: { ...g.tensors }, nodes: g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs] })), inputs: [...g.inputs], outputs: [...g.outputs] };
}

/** Readers of every tensor: the nodes (by index) that take it as an input. */
export function consumersOf(g: Graph): Map<string, number[]> {
  const m = new Map<string, number[]>();
  g.nodes.forEach((n, i) => n.inputs.forEach((t) => {
    if (!t) return;
    const list = m.get(t);
    if (list) {
      if (list[list.length - 1] !== i) list.push(i);
    } else m.set(t, [i]);
  }));
  return m;
}

/** The node producing each tensor. */
export function producersOf(g: Graph): Map<string, number> {
  const m = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((t) => t && m.set(t, i)));
  return m;
}

/** Every read of tensor `from` now reads `to` (graph outputs keep their names: the caller renames instead where it must). */
export function replaceUses(g: Graph, from: string, to: string): void {
  for (const n of g.nodes) n.inputs = n.inputs.map((t) => (t === from ? to : t));
}

/** Drops tensors no node reads or writes and that are not graph inputs or outputs. */
export function pruneTensors(g: Graph): void {
  const used = new Set<string>([...g.inputs, ...g.outputs]);
  for (const n of g.nodes) for (const t of [...n.inputs, ...n.outputs]) if (t) used.add(t);
  for (const name of Object.keys(g.tensors)) if (!used.has(name)) delete g.tensors[name];
}

/** A tensor name not yet in the graph. */
export function freshName(g: Graph, base: string): string {
  let name = base;
  for (let k = 1; g.tensors[name]; k++) name = `${base}~${k}`;
  return name;
}

export function nodeKey(n: Node): string {
  return JSON.stringify([n.op, n.inputs, n.attrs, n.phase]);
}
