import type { ExploreObjective, ExploreResult } from '../explore/explore.js';
import { renderCsv } from './csv.js';
import { renderTable } from './table.js';
import { formatEnergy, formatPercent, formatSeconds } from '../util/units.js';
import { htmlPage, type HtmlSection } from './html.js';
import { asNumber } from '../store/where.js';
import type { StoredLayer } from '../store/store.js';

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

/** `accelmap results`: the store's designs (or its Pareto front over `paretoOver`) as a table. */
export function renderStoredDesigns(file: string, designs: DesignRowView[], knobNames: string[], paretoOver?: readonly ExploreObjective[]): string {
  return `${file}: ${designs.length} designs${paretoOver ? ` on the Pareto front over ${paretoOver.join(', ')}` : ''}\n\n${renderDesigns(designs, knobNames)}`;
}

/** `results --csv`: one row per design, every knob a column, figures in base units. */
export function renderDesignsCsv(designs: (DesignRowView & { space: string; sramBytes: number })[], knobNames: string[]): string {
  const header = ['hash', 'space', ...knobNames, 'status', 'latency_s', 'energy_pj', 'area_mm2', 'sram_bytes'];
  return renderCsv(header, designs.map((d) => [d.hash, d.space, ...knobNames.map((k) => d.knobs[k]), d.status, d.latencyS, d.energyPj, d.areaMm2, d.sramBytes]));
}

/** `results --design D --csv`: one row per layer, figures in base units. */
export function renderLayersCsv(layers: (LayerRowView & { dataflow: string | null })[]): string {
  return renderCsv(['workload', 'layer', 'op', 'cycles', 'energy_pj', 'utilization', 'dataflow'], layers.map((l) => [l.workload, l.name, l.op, l.cycles, l.energyPj, l.utilization, l.dataflow]));
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
 * table, a parallel-coordinates view of the knobs, each front design's
 * per-layer results, and the per-layer table of a `chosen` design.
 */
export function resultsReportHtml(title: string, designs: DesignRowView[], front: DesignRowView[], knobNames: string[], layersOf: (hash: string) => LayerRowView[], chosen?: DesignRowView): string {
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
  sections.push(parallelCoordinates(ok, onFront, knobNames, chosen));
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
      pre: renderDesignLayers(layersOf(d.hash)),
    })),
  });
  if (chosen) {
    sections.push({
      heading: `Layers of design ${chosen.hash.slice(0, 10)}`,
      text: knobNames.map((k) => `${k}=${String(chosen.knobs[k])}`).join(' '),
      table: { header: LAYER_HEADER, rows: layerRows(layersOf(chosen.hash)) },
    });
  }
  return htmlPage(title, sections);
}

/** A stored layer as the tables show it. */
export type LayerRowView = Pick<StoredLayer, 'workload' | 'name' | 'op' | 'cycles' | 'energyPj' | 'utilization'>;

const LAYER_HEADER = ['workload', 'layer', 'op', 'cycles', 'energy', 'utilization'];
const layerRows = (layers: LayerRowView[]) => layers.map((l) => [l.workload, l.name, l.op, l.cycles, formatEnergy(l.energyPj), formatPercent(l.utilization)]);

/** A design's per-layer results as a table (`results --design`). */
export function renderDesignLayers(layers: LayerRowView[]): string {
  return renderTable(LAYER_HEADER, layerRows(layers));
}

/**
 * One axis of the parallel coordinates: a design's position in [0, 1]. A
 * knob's distinct values are spaced evenly in their order (numeric where
 * every value reads as a number, sizes and clocks included); an objective is
 * placed on a log scale between the smallest and the largest value.
 */
export function axisPositions(values: (number | string | boolean)[], log: boolean): { positions: number[]; label: string } {
  if (log) {
    const ls = values.map((v) => Math.log(Number(v)));
    const lo = Math.min(...ls);
    const hi = Math.max(...ls);
    return { positions: ls.map((l) => (hi > lo ? (l - lo) / (hi - lo) : 0.5)), label: '' };
  }
  const distinct = [...new Set(values.map(String))];
  const nums = distinct.map((v) => asNumber(v));
  const order = nums.every((n) => n !== undefined) ? distinct.map((v, i) => [v, nums[i]!] as const).sort((a, b) => a[1] - b[1]).map((x) => x[0]) : distinct.sort();
  const at = new Map(order.map((v, i) => [v, order.length > 1 ? i / (order.length - 1) : 0.5]));
  return { positions: values.map((v) => at.get(String(v))!), label: order.length > 1 ? `${order[0]}…${order[order.length - 1]}` : order[0] ?? '' };
}

const OBJECTIVES: ExploreObjective[] = ['latency', 'energy', 'area'];

/** The knobs and objectives of every mapped design as a parallel-coordinates chart (a Chart.js line per design). */
function parallelCoordinates(ok: DesignRowView[], onFront: Set<string>, knobNames: string[], chosen?: DesignRowView): HtmlSection {
  const axes = [
    ...knobNames.map((k) => ({ name: k, ...axisPositions(ok.map((d) => d.knobs[k] ?? ''), false) })),
    ...OBJECTIVES.map((o) => {
      const vs = ok.map((d) => objectiveOf(d, o)!);
      return { name: o, ...axisPositions(vs, true), label: vs.length ? `${formatObjective(o, Math.min(...vs))}…${formatObjective(o, Math.max(...vs))}` : '' };
    }),
  ];
  const style = (d: DesignRowView) =>
    d.hash === chosen?.hash ? { borderColor: '#1f77b4', borderWidth: 3, order: 0 } : onFront.has(d.hash) ? { borderColor: '#d62728', borderWidth: 1.5, order: 1 } : { borderColor: 'rgba(154,165,177,0.5)', borderWidth: 1, order: 2 };
  return {
    heading: 'Knobs and objectives of each design (parallel coordinates)',
    text: 'Each line is a design: grey mapped, red on the front, blue the chosen one. Knob values are spaced evenly in their order; objectives on a log scale; the ranges are in the axis labels.',
    chart: {
      type: 'line',
      data: {
        labels: axes.map((a) => `${a.name} (${a.label})`),
        datasets: ok.map((d, i) => ({ label: d.hash.slice(0, 10), data: axes.map((a) => a.positions[i]), fill: false, pointRadius: 2, tension: 0, ...style(d) })),
      },
      options: { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { y: { min: 0, max: 1, ticks: { display: false } } } },
    },
  };
}
