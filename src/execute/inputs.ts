import { AccelmapError } from '../util/errors.js';
import { isFloat, isInteger } from '../workload/dtype.js';
import type { Graph, Tensor } from '../workload/graph.js';
import type { Feeds } from './execute.js';
import { streamFor } from './params.js';
import { alloc, converter, type Value } from './value.js';

/**
 * Graph inputs drawn from a seed: floats standard normal; integer inputs
 * that index something (an embedding table, a gather) uniform over the rows
 * they index, other integers 0 or 1; booleans 0 or 1.
 */
export function seededInputs(graph: Graph, seed: number): Record<string, Value> {
  const feeds: Record<string, Value> = {};
  for (const name of graph.inputs) {
    const t = graph.tensors[name]!;
    const rng = streamFor(seed, `input:${name}`);
    const v = alloc(t.shape, t.dtype);
    if (isFloat(t.dtype)) for (let i = 0; i < v.data.length; i++) v.data[i] = rng.normal();
    else {
      const bound = isInteger(t.dtype) ? indexBound(graph, t) : 2;
      for (let i = 0; i < v.data.length; i++) v.data[i] = rng.int(bound);
    }
    feeds[name] = v;
  }
  return feeds;
}

function indexBound(graph: Graph, t: Tensor): number {
  for (const n of graph.nodes) {
    if (n.op === 'Embedding' && n.inputs[0] === t.name) return graph.tensors[n.inputs[1]!]!.shape[0]!;
    if (n.op === 'Gather' && n.inputs[1] === t.name) {
      const data = graph.tensors[n.inputs[0]!]!;
      const axis = (n.attrs.axis as number) < 0 ? (n.attrs.axis as number) + data.shape.length : (n.attrs.axis as number);
      return data.shape[axis]!;
    }
  }
  return 2;
}

/**
 * Checks values given for the graph's inputs (from a file): every input
 * present under its name, with the graph's shape; a value of another
 * numeric type is converted to the graph's, and `notes` says so.
 */
export function bindInputs(graph: Graph, given: Record<string, Value>, file: string): { feeds: Feeds; notes: string[] } {
  const feeds: Feeds = {};
  const notes: string[] = [];
  const extra = Object.keys(given).filter((n) => !graph.inputs.includes(n));
  if (extra.length) throw new AccelmapError('bad-input', `'${extra[0]}' is not an input of ${graph.name}`, { file }, `its inputs: ${graph.inputs.join(', ')}`);
  for (const name of graph.inputs) {
    const t = graph.tensors[name]!;
    const v = given[name];
    if (!v) throw new AccelmapError('bad-input', `no array for input '${name}'`, { file }, `name the arrays after the inputs: ${graph.inputs.join(', ')}`);
    if (v.shape.join() !== t.shape.join()) throw new AccelmapError('bad-input', `input '${name}' has shape [${v.shape}], ${graph.name} takes [${t.shape}]`, { file }, 'bind the model\'s dimensions with --batch or --dim to match');
    if (v.dtype === t.dtype) {
      feeds[name] = v;
      continue;
    }
    const out = alloc(t.shape, t.dtype);
    const store = converter(t.dtype);
    for (let i = 0; i < out.data.length; i++) out.data[i] = store(v.data[i]!);
    notes.push(`input '${name}' converted from ${v.dtype} to ${t.dtype}`);
    feeds[name] = out;
  }
  return { feeds, notes };
}
