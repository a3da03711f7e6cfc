import { describeAlgorithms, sweepOf, type ScaleReport } from '../scaleout/scale.js';
import type { SweepRow } from '../scaleout/sweep.js';
import { formatPercent } from '../util/units.js';
import { htmlPage, type HtmlSection } from './html.js';

/** The tables and HTML report of `accelmap scale`, from the study's plain result (scaleout/scale.ts). */
const ms = (s: number) => (s * 1e3).toFixed(2);

/** Rows of the step breakdown table for one method. */
export function breakdownRows(rows: readonly SweepRow[]): (string | number)[][] {
  return rows.map((r) => [r.devices, ms(r.stepSeconds), ms(r.computeSeconds), ms(r.exposedCommSeconds), ms(r.hiddenCommSeconds), ms(r.bubbleSeconds), ms(r.codecSeconds), Math.round(r.samplesPerSecond), formatPercent(r.scalingEfficiency)]);
}

export const BREAKDOWN_HEADER = ['devices', 'step ms', 'compute ms', 'exposed comm ms', 'hidden comm ms', 'bubble ms', 'codec ms', 'samples/s', 'efficiency'];

/** Scaling efficiency of every method, one column each. */
export function efficiencyTable(report: ScaleReport): { header: string[]; rows: string[][] } {
  const devices = sweepOf(report, 'none').map((r) => r.devices);
  return {
    header: ['devices', ...report.sweeps.map((s) => s.method)],
    rows: devices.map((n) => [String(n), ...report.sweeps.map((s) => {
      const r = s.rows.find((x) => x.devices === n);
      return r ? formatPercent(r.scalingEfficiency) : '';
    })]),
  };
}

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
