import { htmlPage, type HtmlSection } from '../report/html.js';
import { formatPercent } from '../util/units.js';
import { COMPRESSION_METHODS, type CompressionMethod } from './compress/compressors.js';
import { ALGORITHM_WORDS, checkExchange, describeExchange, type ExchangeAlgorithm, type ExchangeMode } from './exchange.js';
import { isSparse } from './compress/wire.js';
import type { StepProfile } from './profile.js';
import { stepTime, type ParallelConfig, type StepResult } from './step.js';
import { deviceCounts, scalingSweep, type SweepRow } from './sweep.js';
import { makeSystem, topologyName, type SystemSpec } from './system.js';

/**
 * One scale-out study: the step at the requested size, and the scaling
 * sweep from one device up to it for every compression method.
 */
export interface ScaleReport {
  model: string;
  batchPerDevice: number;
  topology: string;
  devices: number;
  parallel: ParallelConfig['mode'];
  compress: CompressionMethod;
  profileSource: string;
  /** What the exchange assumes, in words. */
  exchange: string;
  result: StepResult;
  /** Sweep rows per compression method (the chosen one and all others). */
  sweeps: { method: CompressionMethod; rows: SweepRow[] }[];
}

export function scaleReport(profile: StepProfile, spec: SystemSpec, cfg: ParallelConfig): ScaleReport {
  const system = makeSystem(spec);
  checkExchange(system, cfg.exchange.method, cfg.exchange.exchange);
  const counts = deviceCounts(spec.devices);
  return {
    model: profile.model,
    batchPerDevice: profile.batch,
    topology: topologyName(system.topology),
    devices: system.devices,
    parallel: cfg.mode,
    compress: cfg.exchange.method,
    profileSource: profile.source,
    exchange: describeExchange(cfg.exchange),
    result: stepTime(profile, system, cfg),
    sweeps: COMPRESSION_METHODS.map((method) => ({ method, rows: scalingSweep(profile, spec, counts, { ...cfg, exchange: { ...cfg.exchange, method, exchange: modeFor(method, cfg.exchange.exchange) } }) })),
  };
}

/** The other methods' sweeps keep the requested exchange where it applies to them, else choose per bucket. */
function modeFor(method: CompressionMethod, mode: ExchangeMode): ExchangeMode {
  return (mode === 'sparcml' || mode === 'gtopk') && !isSparse(method) ? 'auto' : mode;
}

/** Which exchange algorithms carried the gradient buckets, in words. */
export function describeAlgorithms(result: StepResult): string {
  const entries = Object.entries(result.exchangeAlgorithms) as [ExchangeAlgorithm, number][];
  if (!entries.length) return 'no gradient exchange';
  return entries.map(([a, n]) => `${ALGORITHM_WORDS[a]} for ${n} bucket${n === 1 ? '' : 's'}`).join(', ');
}

export function sweepOf(report: ScaleReport, method: CompressionMethod): SweepRow[] {
  return report.sweeps.find((s) => s.method === method)!.rows;
}

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
