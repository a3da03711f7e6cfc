import type { ExchangeAlgorithm } from '../scaleout/exchange.js';
import { sweepOf, type ScaleReport } from '../scaleout/scale.js';
import type { StepResult } from '../scaleout/step.js';
import type { SweepRow } from '../scaleout/sweep.js';
import { formatBytes, formatPercent, formatSeconds } from '../util/units.js';
import { htmlPage, type HtmlSection } from './html.js';
import { renderTable } from './table.js';

/** The text and HTML report of `accelmap scale`, from the study's plain result (scaleout/scale.ts). */

const ms = (s: number) => (s * 1e3).toFixed(2);

/** Rows of the step breakdown table for one method. */
function breakdownRows(rows: readonly SweepRow[]): (string | number)[][] {
  return rows.map((r) => [r.devices, ms(r.stepSeconds), ms(r.computeSeconds), ms(r.exposedCommSeconds), ms(r.hiddenCommSeconds), ms(r.bubbleSeconds), ms(r.codecSeconds), Math.round(r.samplesPerSecond), formatPercent(r.scalingEfficiency)]);
}

const BREAKDOWN_HEADER = ['devices', 'step ms', 'compute ms', 'exposed comm ms', 'hidden comm ms', 'bubble ms', 'codec ms', 'samples/s', 'efficiency'];

/** Scaling efficiency of every method, one column each. */
function efficiencyTable(report: ScaleReport): { header: string[]; rows: string[][] } {
  const devices = sweepOf(report, 'none').map((r) => r.devices);
  return {
    header: ['devices', ...report.sweeps.map((s) => s.method)],
    rows: devices.map((n) => [String(n), ...report.sweeps.map((s) => {
      const r = s.rows.find((x) => x.devices === n);
      return r ? formatPercent(r.scalingEfficiency) : '';
    })]),
  };
}

/** Words for each exchange algorithm in reports. */
const ALGORITHM_WORDS: Record<ExchangeAlgorithm, string> = {
  allreduce: 'dense all-reduce',
  allgather: 'all-gather of compressed messages',
  sparcml: 'SparCML sparse all-reduce',
  gtopk: 'gTop-k',
  hier: 'hierarchical (dense in node, compressed across nodes)',
  recompress: 're-compressing ring',
};


/** Which exchange algorithms carried the gradient buckets, in words. */
function describeAlgorithms(result: StepResult): string {
  const entries = Object.entries(result.exchangeAlgorithms) as [ExchangeAlgorithm, number][];
  if (!entries.length) return 'no gradient exchange';
  return entries.map(([a, n]) => `${ALGORITHM_WORDS[a]} for ${n} bucket${n === 1 ? '' : 's'}`).join(', ');
}

/** What the study's result does not hold: the links as given, and the time to train when a sample count was given. */
export interface ScaleTextContext {
  linkGbps: number;
  latencyUs: number;
  timeToTrainSeconds?: number;
}

/** The terminal report: the setup, the step at the requested size, its breakdown over the sweep, and the efficiency of every method. */
export function renderScale(report: ScaleReport, c: ScaleTextContext): string {
  const r = report.result;
  const eff = efficiencyTable(report);
  return [
    `${report.model} · batch ${report.batchPerDevice} per device · ${r.devices} devices (${r.dataParallel} data × ${r.tensorParallel} tensor × ${r.pipelineStages} pipeline) · ${report.topology} ${c.linkGbps} Gb/s ${c.latencyUs} µs · compression ${report.compress}`,
    `compute from ${report.profileSource}`,
    `exchange: ${report.exchange}`,
    `gradient buckets at ${r.devices} devices: ${describeAlgorithms(r)}`,
    `step ${formatSeconds(r.stepSeconds)} = compute ${formatSeconds(r.computeSeconds)} + exposed communication ${formatSeconds(r.exposedCommSeconds)}` +
      (r.bubbleSeconds > 0 ? ` + bubble ${formatSeconds(r.bubbleSeconds)}` : '') +
      ` (hidden ${formatSeconds(r.hiddenCommSeconds)}; codec ${formatSeconds(r.codecSeconds)}; ${formatBytes(r.bytesSentPerDevice)} sent per device); ` +
      `${Math.round(r.samplesPerSecond)} samples/s; scaling efficiency ${formatPercent(r.scalingEfficiency)}` +
      (c.timeToTrainSeconds !== undefined ? `; time to train ${(c.timeToTrainSeconds / 3600).toFixed(2)} h` : ''),
    '',
    `step breakdown (${report.compress})`,
    renderTable(BREAKDOWN_HEADER, breakdownRows(sweepOf(report, report.compress))),
    '',
    'scaling efficiency by compression method',
    renderTable(eff.header, eff.rows),
  ].join('\n');
}

/** The HTML report: scaling efficiency per method, and the chosen method's step time over the sweep. */
export function scaleHtml(report: ScaleReport): string {
  const eff = efficiencyTable(report);
  const chosen = sweepOf(report, report.compress);
  const labels = chosen.map((r) => String(r.devices));
  const sections: HtmlSection[] = [
    {
      heading: 'Scaling efficiency',
      text: `${report.model}, batch ${report.batchPerDevice} per device, ${report.topology}, ${report.parallel} parallel; weak scaling: throughput over N × one device's. Compute: ${report.profileSource}. Exchange: ${report.exchange}; at ${report.devices} devices: ${describeAlgorithms(report.result)}.`,
      chart: {
        type: 'line',
        data: {
          labels: eff.rows.map((r) => r[0]),
          datasets: report.sweeps.map((s) => ({ label: s.method, data: s.rows.map((r) => +(r.scalingEfficiency * 100).toFixed(2)), borderWidth: s.method === report.compress ? 3 : 1.5 })),
        },
        options: { maintainAspectRatio: false, scales: { x: { title: { display: true, text: 'devices' } }, y: { min: 0, max: 100, title: { display: true, text: 'scaling efficiency %' } } } },
      },
      table: eff,
    },
    {
      heading: `Step time (${report.compress})`,
      chart: {
        type: 'bar',
        data: {
          labels,
          datasets: [
            { label: 'compute', data: chosen.map((r) => +ms(r.computeSeconds)) },
            { label: 'exposed communication', data: chosen.map((r) => +ms(r.exposedCommSeconds)) },
            { label: 'pipeline bubble', data: chosen.map((r) => +ms(r.bubbleSeconds)) },
          ],
        },
        options: { maintainAspectRatio: false, scales: { x: { stacked: true, title: { display: true, text: 'devices' } }, y: { stacked: true, title: { display: true, text: 'ms per step' } } } },
      },
      table: { header: BREAKDOWN_HEADER, rows: breakdownRows(chosen) },
    },
  ];
  return htmlPage(`accelmap scale: ${report.model} on ${report.devices} devices`, sections);
}
