import type { QuantizeReport } from '../quantize/measure.js';
import { renderTable } from '../util/table.js';
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
