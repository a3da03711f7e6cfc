import type { Graph, Node } from '../workload/graph.js';
import { consumersOf, copyGraph, nodeKey, pruneTensors, replaceUses } from './edit.js';
import type { Pass } from './pass.js';

/**
 * Simplify: the rewrites every target wants. Constant subgraphs are already
 * folded when a graph is built or imported (each op's shape rule folds small
 * known values), so this pass holds the rest, as tables:
 * - views that compute nothing in inference (REMOVABLE) are bypassed;
 * - dead code (nodes whose outputs nobody reads) is dropped;
 * - common subexpressions (same op, inputs, attributes) are computed once,
 *   except ops that draw random numbers (IMPURE).
 */
const REMOVABLE: Record<string, (n: Node, g: Graph, readers: Map<string, number[]>) => boolean> = {
  Identity: () => true,
  // inference Dropout passes its input through; its mask must be unread
  Dropout: (n, _g, readers) => !n.attrs.training_mode && !n.inputs[2] && !(n.outputs[1] && readers.has(n.outputs[1])),
};

const IMPURE = /^(Random|Bernoulli|Multinomial|Dropout$)/;

function bypassViews(g: Graph): Graph {
  const out = copyGraph(g);
  const readers = consumersOf(g);
  const outputs = new Set(g.outputs);
  out.nodes = out.nodes.filter((n) => {
    const rule = REMOVABLE[n.op];
    const [x] = n.inputs, [y] = n.outputs;
    if (!rule || !x || !y || outputs.has(y) || !rule(n, g, readers)) return true;
    replaceUses(out, y, x);
    return false;
  });
  pruneTensors(out);
  return out;
}

function deadCode(g: Graph): Graph {
  const out = copyGraph(g);
  const live = new Set(g.outputs);
  const keep: Node[] = [];
  for (let i = out.nodes.length - 1; i >= 0; i--) {
    const n = out.nodes[i]!;
    // nodes without outputs (optimizer updates) act by side effect
    if (n.outputs.length && !n.outputs.some((t) => t && live.has(t))) continue;
    keep.push(n);
    for (const t of n.inputs) if (t) live.add(t);
  }
  out.nodes = keep.reverse();
  pruneTensors(out);
  return out;
}

export function commonSubexpressions(g: Graph): Graph {
  const out = copyGraph(g);
  const seen = new Map<string, Node>();
  const outputs = new Set(g.outputs);
  out.nodes = out.nodes.filter((n) => {
    if (IMPURE.test(n.op) || !n.outputs.length) return true;
    const key = nodeKey(n);
    const first = seen.get(key);
    if (!first) {
      seen.set(key, n);
      return true;
    }
    if (n.outputs.some((t) => outputs.has(t))) return true;
    n.outputs.forEach((t, i) => t && replaceUses(out, t, first.outputs[i]!));
    return false;
  });
  pruneTensors(out);
  return out;
}

export const simplify: Pass = {
  name: 'simplify',
  description: 'bypass inference Identity/Dropout, remove dead code, share common subexpressions (constants are folded at import)',
  training: true,
  run: (s) => ({ ...s, graph: deadCode(commonSubexpressions(bypassViews(s.graph))) }),
};
