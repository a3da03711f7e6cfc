import type { GraphFigures } from '../compile/index.js';
import type { LayoutBlock } from '../compile/layout-block.js';
import { formatBytes, formatCount } from '../util/units.js';
import { renderTable } from './table.js';

/** What `accelmap compile` reports (its JSON), rendered below for the terminal. */
export interface CompileSummary {
  model: string;
  mode: string;
  arch: string;
  applied: string[];
  skipped: { pass: string; reason: string }[];
  /** The layout pass's channel block and its source (when the pass ran). */
  layoutBlock?: LayoutBlock;
  before: GraphFigures;
  after: GraphFigures;
  fusedGroups: { name: string; anchor: string | null; members: { name: string; op: string }[] }[];
  derivedWeights: { name: string; rule: string; from: string[] }[];
  dumps: { pass: string; nodes: { name: string; op: string; shape: number[] }[] }[];
}

/** The passes run, each dumped graph, the fused groups, and the graph's figures before and after. */
export function renderCompile(r: CompileSummary): string {
  const lines = [`${r.model} (${r.mode}): passes ${r.applied.join(', ') || 'none'}${r.skipped.map((s) => `; ${s.pass} skipped (${s.reason})`).join('')}`];
  if (r.layoutBlock) lines.push(`layout block: ${r.layoutBlock.block} (NCHW[${r.layoutBlock.block}]c), from ${r.layoutBlock.from}`);
  for (const d of r.dumps) {
    lines.push('', `graph after ${d.pass}:`, renderTable(['node', 'op', 'output shape'], d.nodes.map((n) => [n.name, n.op, `[${n.shape.join(',')}]`]), { align: ['left', 'left', 'left'] }));
  }
  if (r.fusedGroups.length) {
    lines.push('', `fused groups (${r.fusedGroups.length}):`, renderTable(['group', 'anchor', 'members'], r.fusedGroups.map((f) => [f.name, f.anchor ?? '(element-wise)', f.members.map((m) => m.op).join(' → ')]), { align: ['left', 'left', 'left'] }));
  }
  const b = r.before, a = r.after;
  lines.push('', renderTable(['', 'nodes', 'DRAM bytes', `vector-unit cycles (${r.arch})`], [
    ['before', b.nodes, formatBytes(b.dramBytes), formatCount(b.vectorCycles)],
    ['after', a.nodes, formatBytes(a.dramBytes), formatCount(a.vectorCycles)],
  ]));
  lines.push('DRAM bytes: every node reads its inputs from and writes its outputs to memory; a fused group only its own inputs and output');
  const t = a.layoutTransforms;
  if (t.nodes) lines.push(`layout transforms (included above): ${t.nodes}, ${formatBytes(t.dramBytes)} of DRAM traffic, ${formatCount(t.vectorCycles)} vector-unit cycles; filters are blocked when compiling, at no run-time cost`);
  return lines.join('\n');
}
