import { sumCosts } from '../mapping/cost.js';
import type { LayerResult, NetworkResult } from '../network/map.js';
import { metricValue, parseObjective } from '../search/objective.js';
import { formatCount, formatEnergy, formatPercent, formatSeconds } from '../util/units.js';
import { htmlPage, type HtmlSection } from './html.js';
import { loopNest } from './loop-nest.js';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const VECTOR_COLOR = '#9e9e9e';

/** What the objective minimizes first (its first metric), for comparing dataflows. */
export function objectiveScore(objective: string, x: { cycles: number; energyPj: number }): number {
  return metricValue(parseObjective(objective).metrics[0]!, x.cycles, x.energyPj);
}

/**
 * The HTML report of `accelmap map --out`: totals, the per-layer table,
 * per-layer latency and energy bars (ops on the vector unit beside the
 * mapped ones), energy by storage level, utilization per layer, a roofline
 * plot (achieved MACs per cycle against MACs per word of compulsory
 * traffic, under the peak and bandwidth roofs), the vector-unit ops by type,
 * the dataflows compared (`--dataflow all`) and each layer's mapping as a
 * loop nest.
 */
export function mapReportHtml(r: NetworkResult): string {
  const mapped = r.layers.filter((l) => l.kind === 'mapped');
  const vector = r.layers.filter((l) => l.kind === 'vector');
  const names = r.layers.map((l) => l.name);
  const t = r.totals;
  const xTicks = { ticks: { autoSkip: false, maxRotation: 90, font: { size: 9 } } };
  /** One bar per layer (every op), mapped ops and vector-unit ops in two colors. */
  const bars = (unit: string, value: (l: LayerResult) => number, color: string) => ({
    type: 'bar',
    data: {
      labels: names,
      datasets: [
        { label: `mapped (${unit})`, data: r.layers.map((l) => (l.kind === 'mapped' ? value(l) : 0)), backgroundColor: color },
        { label: `vector unit (${unit})`, data: r.layers.map((l) => (l.kind === 'vector' ? value(l) : 0)), backgroundColor: VECTOR_COLOR },
      ],
    },
    options: { maintainAspectRatio: false, scales: { x: { stacked: true, ...xTicks }, y: { stacked: true } } },
  });
  const levels = [...new Set(mapped.flatMap((l) => l.problems.flatMap((p) => Object.keys(p.energyByLevelPj))))];
  const byLevel = [
    ...levels.map((lv, i) => ({
      label: lv,
      data: r.layers.map((l) => l.problems.reduce((s, p) => s + (p.energyByLevelPj[lv] ?? 0) * p.repeat, 0) / 1e6),
      backgroundColor: PALETTE[i % PALETTE.length],
    })),
    { label: 'vector unit', data: r.layers.map((l) => (l.kind === 'vector' ? l.energyPj / 1e6 : 0)), backgroundColor: VECTOR_COLOR },
  ];
  const points = mapped.map((l) => ({ x: l.macs / Math.max(1, l.words), y: l.macs / l.cycles, label: l.name }));
  const peak = r.peakMacsPerCycle;
  const bw = r.dramWordsPerCycle;
  const xs = points.map((p) => p.x).filter((x) => x > 0);
  const xMin = Math.min(...xs, peak / bw) / 2, xMax = Math.max(...xs, peak / bw) * 2;
  const roof = [xMin, peak / bw, xMax].map((x) => ({ x, y: Math.min(peak, x * bw) }));
  const { cycles: vCycles, energyPj: vEnergy } = sumCosts(vector);
  const sections: HtmlSection[] = [
    {
      heading: 'Totals',
      text:
        `${r.model} (${r.mode}, batch ${r.batch}) on ${r.arch}${r.cores > 1 ? ` × ${r.cores} cores` : ''}; dataflow ${r.dataflow}, objective ${r.objective}. ${formatCount(t.cycles)} cycles (${formatSeconds(t.seconds)}), ${formatEnergy(t.energyPj)}, ${formatCount(t.macs)} MACs, utilization ${formatPercent(t.utilization)}; ${t.layers} ops, ${t.distinctProblems} distinct loop nests, ${t.evaluations.toLocaleString('en-US')} mappings evaluated. ` +
        `Ops without MACs on the vector unit: ${vector.length} ops, ${formatCount(vCycles)} cycles (${formatPercent(t.cycles > 0 ? vCycles / t.cycles : 0)} of all), ${formatEnergy(vEnergy)} (${formatPercent(t.energyPj > 0 ? vEnergy / t.energyPj : 0)}).`,
    },
    {
      heading: 'Layers',
      table: {
        header: ['layer', 'op', 'dataflow', 'partition', 'cycles', 'energy', 'utilization', 'bound', 'ratio to roofline'],
        rows: mapped.map((l) => [l.name, l.op, l.dataflow ?? '', l.problems[0]!.partition.kind, l.cycles, formatEnergy(l.energyPj), formatPercent(l.utilization), l.bound, l.ratio.toFixed(2)]),
      },
    },
    { heading: 'Latency per op (cycles)', chart: bars('cycles', (l) => l.cycles, PALETTE[0]!) },
    { heading: 'Energy per op (µJ)', chart: bars('µJ', (l) => l.energyPj / 1e6, PALETTE[1]!) },
    {
      heading: 'Energy by level (µJ)',
      chart: { type: 'bar', data: { labels: names, datasets: byLevel }, options: { maintainAspectRatio: false, scales: { x: { stacked: true, ...xTicks }, y: { stacked: true } } } },
    },
    {
      heading: 'Utilization per layer (%)',
      chart: {
        type: 'bar',
        data: { labels: mapped.map((l) => l.name), datasets: [{ label: 'utilization %', data: mapped.map((l) => 100 * l.utilization), backgroundColor: PALETTE[2] }] },
        options: { maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { x: xTicks } },
      },
    },
    {
      heading: 'Roofline',
      text: 'Each point is a layer: MACs per DRAM word of compulsory traffic (one tensor element is one word; under a named precision, its operand bits) against the MACs per cycle its mapping achieves; the line is min(peak at the precision\'s MAC rate, intensity × DRAM words per cycle).',
      chart: {
        type: 'scatter',
        data: {
          datasets: [
            { label: 'layers', data: points, backgroundColor: '#d62728' },
            { label: 'roofline', data: roof, showLine: true, borderColor: '#444', pointRadius: 0, fill: false },
          ],
        },
        options: {
          maintainAspectRatio: false,
          scales: { x: { type: 'logarithmic', title: { display: true, text: 'MACs per word' } }, y: { type: 'logarithmic', title: { display: true, text: 'MACs per cycle' } } },
        },
      },
    },
    { heading: 'Vector-unit ops by type', table: vectorTable(vector, t.cycles) },
  ];
  if (r.dataflow === 'all') sections.push({ heading: 'Dataflows compared', text: `Each dataflow's best mapping per layer, as cycles and energy; the objective (${r.objective}) relative to the layer's best in brackets.`, table: dataflowTable(r) });
  sections.push({
    heading: 'Mappings',
    text: "Each layer's mapping as a loop nest (outermost first, as in Timeloop's map.txt); the levels list the data spaces they keep.",
    details: mapped.flatMap((l) => l.problems.filter((p) => p.mapping).map((p, k) => ({ summary: `${l.name}${l.problems.length > 1 ? ` (${k + 1})` : ''}: ${p.kind} ${p.partition.perCoreProblem.dims.map((d, i) => `${d}=${p.partition.perCoreProblem.bounds[i]}`).join(' ')}, ${p.dataflow}`, pre: loopNest(p.mapping!) }))),
  });
  return htmlPage(`accelmap map: ${r.model} on ${r.arch}`, sections);
}

function vectorTable(vector: LayerResult[], totalCycles: number) {
  const byOp = new Map<string, { n: number; cycles: number; energyPj: number }>();
  for (const l of vector) {
    const g = byOp.get(l.op) ?? { n: 0, cycles: 0, energyPj: 0 };
    g.n++;
    g.cycles += l.cycles;
    g.energyPj += l.energyPj;
    byOp.set(l.op, g);
  }
  const rows = [...byOp].sort((a, b) => b[1].cycles - a[1].cycles).map(([op, g]) => [op, g.n, g.cycles, formatPercent(totalCycles > 0 ? g.cycles / totalCycles : 0), formatEnergy(g.energyPj)]);
  return { header: ['op', 'ops', 'cycles', 'share of cycles', 'energy'], rows };
}

function dataflowTable(r: NetworkResult) {
  const dataflows = [...new Set(r.layers.flatMap((l) => l.problems.flatMap((p) => (p.comparison ?? []).map((c) => c.dataflow))))];
  const rows = r.layers
    .filter((l) => l.kind === 'mapped')
    .map((l) => {
      const c = l.problems[0]!.comparison ?? [];
      const best = Math.min(...c.map((x) => objectiveScore(r.objective, x)));
      return [
        l.name,
        l.dataflow ?? '',
        ...dataflows.map((d) => {
          const x = c.find((y) => y.dataflow === d);
          return x ? `${formatCount(x.cycles)} cycles, ${formatEnergy(x.energyPj)} (${(objectiveScore(r.objective, x) / best).toFixed(2)}×)` : '—';
        }),
      ];
    });
  return { header: ['layer', 'best', ...dataflows], rows };
}
