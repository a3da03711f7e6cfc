import { sumCosts } from '../mapping/cost.js';
import type { NetworkResult } from '../network/map.js';
import type { Problem } from '../problem/types.js';
import { formatCount, formatEnergy, formatPercent, formatSeconds } from '../util/units.js';
import { renderCsv } from './csv.js';
import { objectiveScore } from './map-report.js';
import { renderTable } from './table.js';

const num = (x: number) => formatCount(x, 3);

/** The terminal report of `accelmap map`: the per-layer table, then the totals. */
export function renderMap(r: NetworkResult): string {
  const mapped = r.layers.filter((l) => l.kind === 'mapped');
  const all = r.dataflow === 'all';
  const multi = r.cores > 1;
  const fused = mapped.some((l) => l.epilogue);
  const header = ['layer', 'op', 'shape', 'dataflow', ...(multi ? ['partition'] : []), 'cycles', ...(fused ? ['epilogue cyc'] : []), 'energy', 'util', 'bound', 'ratio', ...(all ? ['runner-up (margin)'] : [])];
  const rows = mapped.map((l) => {
    const p = l.problems[0]!;
    const shape = l.problem ? l.problem.dims.map((d, i) => `${d}${l.problem!.bounds[i]}`).join(' ') : '';
    let runnerUp = '';
    if (all && p.comparison && p.comparison.length > 1) {
      const score = (x: { cycles: number; energyPj: number }) => objectiveScore(r.objective, x);
      const sorted = [...p.comparison].sort((a, b) => score(a) - score(b));
      const second = sorted[1]!;
      runnerUp = `${second.dataflow} (+${formatPercent(score(second) / score(sorted[0]!) - 1)})`;
    }
    return [
      l.name, l.op, shape, l.dataflow ?? '', ...(multi ? [`${p.partition.kind}${p.partition.dim ? ` ${p.partition.dim}` : ''}`] : []),
      num(l.cycles), ...(fused ? [l.epilogue ? num(l.epilogue.cycles) : ''] : []), formatEnergy(l.energyPj), formatPercent(l.utilization), l.bound, l.ratio.toFixed(2), ...(all ? [runnerUp] : []),
    ];
  });
  const vector = r.layers.filter((l) => l.kind === 'vector');
  const { cycles: vCycles, energyPj: vEnergy } = sumCosts(vector);
  const t = r.totals;
  const lines = [
    `${r.model} (${r.mode}, batch ${r.batch}) on ${r.arch}${multi ? ` × ${r.cores} cores` : ''}: dataflow ${r.dataflow}, objective ${r.objective}, strategy ${r.strategy}`,
    '',
    renderTable(header, rows),
    '',
    `other ops on the vector unit: ${vector.length} ops, ${num(vCycles)} cycles (${formatPercent(t.cycles > 0 ? vCycles / t.cycles : 0)}), ${formatEnergy(vEnergy)}`,
    `total: ${num(t.cycles)} cycles (${formatSeconds(t.seconds)}), ${formatEnergy(t.energyPj)}, ${num(t.macs)} MACs, utilization ${formatPercent(t.utilization)}; ${t.distinctProblems} distinct loop nests, ${t.evaluations.toLocaleString('en-US')} mappings evaluated`,
  ];
  const epilogues = mapped.filter((l) => l.epilogue);
  if (epilogues.length) {
    const { cycles: eCycles, energyPj: eEnergy } = sumCosts(epilogues.map((l) => l.epilogue!));
    lines.push(`fused groups: ${epilogues.length} loop nests with an epilogue on the vector unit, ${num(eCycles)} cycles, ${formatEnergy(eEnergy)} (included above)`);
  }
  if (r.uncompiled) {
    const u = r.uncompiled;
    lines.push(`without compilation (--no-fuse): ${u.layers} layers, ${num(u.cycles)} cycles, ${formatEnergy(u.energyPj)}, ${num(u.dramWords)} DRAM words; compiled: ${t.layers} layers, ${num(t.cycles)} cycles, ${formatEnergy(t.energyPj)}, ${num(t.dramWords)} DRAM words`);
  }
  if (t.incompleteSearches > 0) lines.push(`note: ${t.incompleteSearches} exhaustive searches stopped at the budget before covering their space (raise --budget or constrain with --dataflow)`);
  if (all) {
    const wins = new Map<string, number>();
    for (const l of mapped) wins.set(l.dataflow ?? '', (wins.get(l.dataflow ?? '') ?? 0) + 1);
    lines.push(`dataflow wins: ${[...wins].sort((a, b) => b[1] - a[1]).map(([d, n]) => `${d} ${n}`).join(', ')}`);
  }
  return lines.join('\n');
}

/** `map --csv`: one row per layer, mapped and vector-unit ops alike. */
export function renderMapCsv(r: NetworkResult): string {
  const header = ['layer', 'op', 'kind', 'phase', 'shape', 'dataflow', 'partition', 'macs', 'words', 'cycles', 'energy_pj', 'utilization', 'bound', 'bound_cycles', 'ratio'];
  const rows = r.layers.map((l) => [l.name, l.op, l.kind, l.phase, shapeOf(l.problems[0]?.problem ?? null), l.dataflow ?? '', l.problems[0]?.partition.kind ?? '', l.macs, l.words, l.cycles, l.energyPj, l.utilization, l.bound, l.boundCycles, l.ratio]);
  return renderCsv(header, rows);
}

/** A loop nest's bounds, `N=1 K=64 C=64 …` ('' for ops without one). */
function shapeOf(p: Problem | null): string {
  return p ? p.dims.map((d, i) => `${d}=${p.bounds[i]}`).join(' ') : '';
}
