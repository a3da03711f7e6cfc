import type { ExploreObjective, ExploreResult } from '../explore/explore.js';
import { renderTable } from '../util/table.js';
import { formatEnergy, formatSeconds } from '../util/units.js';

/** One design as the tables show it. */
export interface DesignRowView {
  hash: string;
  knobs: Record<string, number | string | boolean>;
  status: string;
  latencyS: number | null;
  energyPj: number | null;
  areaMm2: number;
}

/** An objective's value with its unit: latency in seconds, energy in pJ, area in mm². */
export function formatObjective(name: ExploreObjective, v: number): string {
  return name === 'latency' ? formatSeconds(v) : name === 'energy' ? formatEnergy(v) : `${v.toFixed(3)} mm²`;
}

/** A table of designs: short hash, each knob, latency, energy, area. */
export function renderDesigns(designs: DesignRowView[], knobNames: string[]): string {
  const rows = designs.map((d) => [
    d.hash.slice(0, 10),
    ...knobNames.map((k) => String(d.knobs[k] ?? '')),
    d.status,
    d.latencyS === null ? '' : formatObjective('latency', d.latencyS),
    d.energyPj === null ? '' : formatObjective('energy', d.energyPj),
    formatObjective('area', d.areaMm2),
  ]);
  return renderTable(['hash', ...knobNames, 'status', 'latency', 'energy', 'area'], rows);
}

export function renderExplore(r: ExploreResult): string {
  const knobs = Object.keys(r.front[0]?.knobs ?? r.designs[0]?.knobs ?? {});
  return [
    `${r.space}: ${r.evaluated} designs evaluated (${r.fromStore} from the store, ${r.infeasible} could not be mapped, ${r.rejected} dropped by the constraints); ${r.strategy}, seed ${r.seed}`,
    `Pareto front over ${r.objectives.join(', ')}: ${r.front.length} designs`,
    '',
    renderDesigns(r.front, knobs),
  ].join('\n');
}
