import type { NetworkResult } from '../network/map.js';
import { formatCount, formatPercent, formatSeconds } from '../util/units.js';
import { htmlPage, type HtmlSection } from './html.js';

/**
 * The HTML report of `accelmap map --out`: totals, the per-layer table,
 * per-layer latency and energy bars, energy by storage level, utilization
 * per layer and a roofline plot (achieved MACs per cycle against MACs per
 * word of compulsory traffic, under the peak and bandwidth roofs).
 */
export function mapReportHtml(r: NetworkResult): string {
  const mapped = r.layers.filter((l) => l.kind === 'mapped');
  const names = mapped.map((l) => l.name);
  const t = r.totals;
  const bar = (label: string, data: number[], color: string) => ({
    type: 'bar',
    data: { labels: names, datasets: [{ label, data, backgroundColor: color }] },
    options: { maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { x: { ticks: { autoSkip: false, maxRotation: 90, font: { size: 9 } } } } },
  });
  const levels = [...new Set(mapped.flatMap((l) => l.problems.flatMap((p) => Object.keys(p.energyByLevelPj))))];
  const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  const byLevel = levels.map((lv, i) => ({
    label: lv,
    data: mapped.map((l) => l.problems.reduce((s, p) => s + (p.energyByLevelPj[lv] ?? 0) * p.repeat, 0) / 1e6),
    backgroundColor: palette[i % palette.length],
  }));
  const points = mapped.map((l) => ({ x: l.macs / Math.max(1, l.words), y: l.macs / l.cycles, label: l.name }));
  const peak = r.peakMacsPerCycle;
  const bw = r.dramWordsPerCycle;
  const xs = points.map((p) => p.x).filter((x) => x > 0);
  const xMin = Math.min(...xs, peak / bw) / 2, xMax = Math.max(...xs, peak / bw) * 2;
  const roof = [xMin, peak / bw, xMax].map((x) => ({ x, y: Math.min(peak, x * bw) }));
  const sections: HtmlSection[] = [
    {
      heading: 'Totals',
      text: `${r.model} (${r.mode}, batch ${r.batch}) on ${r.arch}${r.cores > 1 ? ` × ${r.cores} cores` : ''}; dataflow ${r.dataflow}, objective ${r.objective}. ${formatCount(t.cycles)} cycles (${formatSeconds(t.seconds)}), ${(t.energyPj / 1e6).toPrecision(5)} µJ, ${formatCount(t.macs)} MACs, utilization ${formatPercent(t.utilization)}; ${t.layers} ops, ${t.distinctProblems} distinct loop nests, ${t.evaluations.toLocaleString('en-US')} mappings evaluated.`,
    },
    {
      heading: 'Layers',
      table: {
        header: ['layer', 'op', 'dataflow', 'partition', 'cycles', 'energy µJ', 'utilization', 'bound', 'ratio to roofline'],
        rows: mapped.map((l) => [l.name, l.op, l.dataflow ?? '', l.problems[0]!.partition.kind, l.cycles, (l.energyPj / 1e6).toPrecision(4), formatPercent(l.utilization), l.bound, l.ratio.toFixed(2)]),
      },
    },
    { heading: 'Latency per layer (cycles)', chart: bar('cycles', mapped.map((l) => l.cycles), '#1f77b4') },
    { heading: 'Energy per layer (µJ)', chart: bar('energy µJ', mapped.map((l) => l.energyPj / 1e6), '#ff7f0e') },
    {
      heading: 'Energy by level (µJ)',
      chart: {
        type: 'bar',
        data: { labels: names, datasets: byLevel },
        options: { maintainAspectRatio: false, scales: { x: { stacked: true, ticks: { autoSkip: false, maxRotation: 90, font: { size: 9 } } }, y: { stacked: true } } },
      },
    },
    { heading: 'Utilization per layer (%)', chart: bar('utilization %', mapped.map((l) => 100 * l.utilization), '#2ca02c') },
    {
      heading: 'Roofline',
      text: 'Each point is a layer: MACs per byte of compulsory traffic against the MACs per cycle its mapping achieves; the line is min(peak, intensity × DRAM bandwidth).',
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
  ];
  return htmlPage(`accelmap map: ${r.model} on ${r.arch}`, sections);
}
