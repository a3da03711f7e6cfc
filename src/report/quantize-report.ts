import type { AccuracyRow } from '../quantize/demo/accuracy.js';
import type { QuantizeReport } from '../quantize/measure.js';
import { htmlPage } from './html.js';
import { renderTable } from './table.js';
import { formatBytes } from '../util/units.js';

const db = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '∞');

/** The text form of `accelmap quantize`. */
export function renderQuantizeReport(r: QuantizeReport & { model: string; precision: string; weights: string; inputs: string; batch: number }): string {
  const lines: string[] = [];
  lines.push(`${r.model} at ${r.precision} · weights from ${r.weights} · inputs from ${r.inputs} (batch ${r.batch})`);
  lines.push('weights and activations fake-quantized at each compute layer\'s inputs; biases and other ops in fp32');
  lines.push(`activations: ${r.activations}`);
  const kept = r.layers.filter((l) => l.why.startsWith('first/last'));
  if (kept.length) lines.push(`the first and last compute layers stay at ${kept[0]!.precision} (${kept.map((l) => l.name).join(', ')}); a plan file's first-last: same overrides it`);
  lines.push('');
  lines.push(renderTable(['layer', 'op', 'precision', 'output SQNR dB', 'weight bytes'], r.layers.map((l) => [l.name, l.op, l.precision, db(l.sqnrDb), formatBytes(l.weightBytes)])));
  lines.push('');
  lines.push(`weight bytes: ${formatBytes(r.weightBytes)} (fp32 ${formatBytes(r.weightBytesFp32)}, ${(r.weightBytesFp32 / Math.max(1, r.weightBytes)).toFixed(2)}× smaller)`);
  lines.push(renderTable(['output', 'top-1 agreement', 'rows', 'max |error|', 'SQNR dB'], r.outputs.map((o) => [o.name, `${(100 * o.top1Agreement).toFixed(1)}%`, o.rows, o.maxAbsError.toPrecision(3), db(o.sqnrDb)])));
  return lines.join('\n');
}

const ROW_LABEL = { fp32: 'fp32', ptq: 'post-training', qat: 'PACT + SAWB (QAT)' } as const;

const ACCURACY_HEADER = ['method', 'bits', 'test accuracy'];
const accuracyCells = (rows: AccuracyRow[]) => rows.map((r) => [ROW_LABEL[r.method], r.bits, `${(100 * r.accuracy).toFixed(2)}%`]);

/** The text form of `accelmap quantize --demo`. */
export function renderAccuracyTable(task: string, rows: AccuracyRow[]): string {
  return `${task}\n\n${renderTable(ACCURACY_HEADER, accuracyCells(rows))}`;
}

/** An HTML page with the accuracy per method and bit width as a bar chart and a table. */
export function renderAccuracyChart(task: string, rows: AccuracyRow[]): string {
  const chart = {
    type: 'bar',
    data: { labels: rows.map((r) => `${ROW_LABEL[r.method]} ${r.bits}-bit`), datasets: [{ label: 'test accuracy %', data: rows.map((r) => 100 * r.accuracy) }] },
    options: { maintainAspectRatio: false, scales: { y: { min: 0, max: 100, title: { display: true, text: 'test accuracy %' } } } },
  };
  return htmlPage('accelmap quantize --demo', [
    { heading: 'Test accuracy at reduced precision', text: task, chart },
    { heading: 'Table', table: { header: ACCURACY_HEADER, rows: accuracyCells(rows) } },
  ]);
}
