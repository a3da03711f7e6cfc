import type { ExploreObjective, ExploreResult } from '../explore/explore.js';
import { renderCsv } from './csv.js';
import { renderTable } from './table.js';
import { formatEnergy, formatPercent, formatSeconds } from '../util/units.js';
import { htmlPage, type HtmlSection } from './html.js';

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
function renderDesigns(designs: DesignRowView[], knobNames: string[]): string {
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

/** `accelmap results`: the store's designs (or its Pareto front over `paretoOver`) as a table. */
export function renderStoredDesigns(file: string, designs: DesignRowView[], knobNames: string[], paretoOver?: readonly ExploreObjective[]): string {
  return `${file}: ${designs.length} designs${paretoOver ? ` on the Pareto front over ${paretoOver.join(', ')}` : ''}\n\n${renderDesigns(designs, knobNames)}`;
}

/** `results --csv`: one row per design, every knob a column, figures in base units. */
export function renderDesignsCsv(designs: (DesignRowView & { space: string; sramBytes: number })[], knobNames: string[]): string {
  const header = ['hash', 'space', ...knobNames, 'status', 'latency_s', 'energy_pj', 'area_mm2', 'sram_bytes'];
  return renderCsv(header, designs.map((d) => [d.hash, d.space, ...knobNames.map((k) => d.knobs[k]), d.status, d.latencyS, d.energyPj, d.areaMm2, d.sramBytes]));
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

const PAIRS: [ExploreObjective, ExploreObjective][] = [['area', 'latency'], ['area', 'energy'], ['latency', 'energy']];
const UNIT: Record<ExploreObjective, { scale: number; label: string }> = {
  latency: { scale: 1e6, label: 'latency (µs)' },
  energy: { scale: 1e-6, label: 'energy (µJ)' },
  area: { scale: 1, label: 'area (mm²)' },
};

function objectiveOf(d: DesignRowView, o: ExploreObjective): number | null {
  return o === 'latency' ? d.latencyS : o === 'energy' ? d.energyPj : d.areaMm2;
}

/**
 * The page of `accelmap results --out`: the designs of a store as scatter
 * plots of each pair of objectives with the front highlighted, the front as a
 * table, and each front design's per-layer results.
 */
export function resultsReportHtml(title: string, designs: DesignRowView[], front: DesignRowView[], knobNames: string[], layersOf: (hash: string) => { workload: string; name: string; op: string; cycles: number; energyPj: number; utilization: number }[]): string {
  const onFront = new Set(front.map((d) => d.hash));
  const ok = designs.filter((d) => d.status === 'ok');
  const points = (ds: DesignRowView[], [x, y]: [ExploreObjective, ExploreObjective]) =>
    ds.map((d) => ({ x: objectiveOf(d, x)! * UNIT[x].scale, y: objectiveOf(d, y)! * UNIT[y].scale, hash: d.hash.slice(0, 10) }));
  const sections: HtmlSection[] = PAIRS.map((pair) => ({
    heading: `${UNIT[pair[1]].label} against ${UNIT[pair[0]].label}`,
    chart: {
      type: 'scatter',
      data: {
        datasets: [
          { label: 'designs', data: points(ok.filter((d) => !onFront.has(d.hash)), pair), backgroundColor: '#9aa5b1' },
          { label: 'Pareto front', data: points(front, pair), backgroundColor: '#d62728' },
        ],
      },
      options: { maintainAspectRatio: false, scales: { x: { type: 'logarithmic', title: { display: true, text: UNIT[pair[0]].label } }, y: { type: 'logarithmic', title: { display: true, text: UNIT[pair[1]].label } } } },
    },
  }));
  sections.push({
    heading: `Pareto front: ${front.length} of ${designs.length} designs`,
    table: {
      header: ['hash', ...knobNames, 'latency', 'energy', 'area'],
      rows: front.map((d) => [d.hash.slice(0, 10), ...knobNames.map((k) => String(d.knobs[k] ?? '')), formatObjective('latency', d.latencyS!), formatObjective('energy', d.energyPj!), formatObjective('area', d.areaMm2)]),
    },
  });
  sections.push({
    heading: 'Layers of each front design',
    details: front.map((d) => ({
      summary: `${d.hash.slice(0, 10)}: ${knobNames.map((k) => `${k}=${String(d.knobs[k])}`).join(' ')}`,
      pre: renderTable(['workload', 'layer', 'op', 'cycles', 'energy', 'utilization'], layersOf(d.hash).map((l) => [l.workload, l.name, l.op, l.cycles, formatEnergy(l.energyPj), formatPercent(l.utilization)])),
    })),
  });
  return htmlPage(title, sections);
}
