import type { Directive } from '../../src/mapping/directives.js';
import type { MapJobResult } from '../../src/serve/tasks.js';

/**
 * Mapped cycles and energy per node of the graph as exported: a layer of
 * the compiled graph is named after the ops it fused (`conv1+Relu`), and
 * its cost goes to its first op, the one that carries the loop nest.
 */
export function mappedMetrics(m: MapJobResult): { cycles: Record<string, number>; energyPj: Record<string, number> } {
  const names = new Set(m.graph.nodes.map((n) => n.name));
  const cycles: Record<string, number> = {}, energyPj: Record<string, number> = {};
  for (const l of m.result.layers) {
    const name = names.has(l.name) ? l.name : l.name.split('+')[0]!;
    if (!names.has(name)) continue;
    cycles[name] = (cycles[name] ?? 0) + l.cycles;
    energyPj[name] = (energyPj[name] ?? 0) + l.energyPj;
  }
  return { cycles, energyPj };
}

/**
 * A mapping as a loop nest, outermost first: per storage level its temporal
 * loops (Timeloop permutations list the innermost first) then its spatial
 * ones, loops of bound 1 left out.
 */
export function loopNest(mapping: Directive[]): string {
  const lines: string[] = [];
  let depth = 0;
  for (const d of mapping) {
    if (d.type === 'bypass') continue;
    const factors = new Map((d.factors ?? '').split(/\s+/).filter(Boolean).map((f) => f.split('=') as [string, string]));
    const order = [...(d.permutation ?? '')].reverse().filter((dim) => factors.has(dim));
    for (const dim of factors.keys()) if (!order.includes(dim)) order.push(dim);
    const loops = order.filter((dim) => Number(factors.get(dim)) > 1);
    if (loops.length === 0) continue;
    lines.push(`${'  '.repeat(depth)}// ${d.target} (${d.type})`);
    for (const dim of loops) lines.push(`${'  '.repeat(depth++)}${d.type === 'spatial' ? 'parallel_for' : 'for'} ${dim.toLowerCase()} in [0, ${factors.get(dim)}):`);
  }
  lines.push(`${'  '.repeat(depth)}MAC`);
  return lines.join('\n');
}
