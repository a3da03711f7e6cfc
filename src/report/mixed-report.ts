import type { MixedResult } from '../network/mixed.js';
import type { AutoChoice } from '../quantize/auto.js';
import { renderTable } from './table.js';

const pct = (now: number, base: number) => (base > 0 ? `${(100 * (1 - now / base)).toFixed(1)}%` : '-');
const mj = (pj: number) => (pj / 1e9).toFixed(3);

/** The text form of `map --precision auto` and `map --plan`: per layer, totals, and what the plan saves against the uniform baseline. */
export function renderMixed(r: MixedResult, notes: string[], choices?: AutoChoice[]): string {
  const why = new Map(choices?.map((c) => [c.name, c.why]));
  const lines = [`${r.model} on ${r.arch}: a precision per compute layer, against all at ${r.baseline}`, ...notes, ''];
  lines.push(
    renderTable(
      ['layer', 'op', 'precision', 'cycles', `${r.baseline} cycles`, 'energy mJ', `${r.baseline} mJ`, ...(choices ? ['chosen because'] : [])],
      r.layers.map((l) => [l.name, l.op, l.precision, l.cycles, l.baselineCycles, mj(l.energyPj), mj(l.baselineEnergyPj), ...(choices ? [why.get(l.name.split('+')[0]!) ?? ''] : [])]),
    ),
  );
  lines.push('');
  lines.push(`compute layers per precision: ${Object.entries(r.layersPerPrecision).map(([p, n]) => `${p} ${n}`).join(', ')}`);
  lines.push(`cycles: ${r.totals.cycles.toLocaleString('en-US')} against ${r.baselineTotals.cycles.toLocaleString('en-US')} at ${r.baseline} (${pct(r.totals.cycles, r.baselineTotals.cycles)} saved)`);
  lines.push(`energy: ${mj(r.totals.energyPj)} mJ against ${mj(r.baselineTotals.energyPj)} mJ at ${r.baseline} (${pct(r.totals.energyPj, r.baselineTotals.energyPj)} saved)`);
  return lines.join('\n');
}
