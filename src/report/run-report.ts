import type { ValueSummary } from '../execute/summary.js';
import type { IntegerRunSummary } from '../quantize/integer/model.js';
import { renderTable } from './table.js';

function row(name: string, s: ValueSummary): (string | number)[] {
  const f = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(5));
  return [name, `[${s.shape.join(',')}]`, s.dtype, f(s.min), f(s.max), f(s.mean), s.first.map(f).join(' ')];
}

const codes = (b: { lo: number; hi: number } | undefined) => (b ? `[${b.lo}, ${b.hi}]` : '');
const weights = (b: { lo: number; hi: number; odd: boolean } | undefined) => (b ? `${b.odd ? 'odd ' : ''}${codes(b)}` : '');
const g = (x: number | undefined) => (x === undefined ? '' : x.toPrecision(4));
/** A [min, max] span as one value when they agree, else min…max, each by `f`. */
const span = (r: [number, number] | undefined, f: (x: number) => string = String) => (r ? (r[0] === r[1] ? f(r[0]) : `${f(r[0])}…${f(r[1])}`) : '');
const db = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'exact');

/** The integer run's part of the report: how it computes, each compute layer's precision and scales, the host ops, agreement with fp32. */
function renderInteger(r: IntegerRunSummary): string {
  const lines = ['', `integer arithmetic (requantization: ${r.requantization}):`, ...r.arithmetic.map((a) => `  ${a}`), `  ${r.calibration}`];
  const kept = r.layers.filter((l) => l.why.startsWith('first/last'));
  if (kept.length) lines.push(`  the first and last compute layers stay at ${kept[0]!.precision} (${kept.map((l) => l.name).join(', ')}); a plan file's first-last: same overrides it`);
  lines.push('', renderTable(
    ['layer', 'op', 'precision', 'in scale', 'weight scales', 'out scale', 'multipliers', 'shifts', 'in codes', 'weight codes', 'out codes', 'acc bits', 'out SQNR dB'],
    r.layers.map((l) => (l.integer
      ? [l.name, l.op, l.precision, g(l.inputScale), span(l.weightScales, g), g(l.outputScale), span(l.multipliers), span(l.shifts), codes(l.inputCodes), weights(l.weightCodes), codes(l.outputCodes), l.accumulatorBits!, db(l.sqnrDb)]
      : [l.name, l.op, `fp32: ${l.reason}`, '', '', '', '', '', '', '', '', '', db(l.sqnrDb)])),
  ));
  if (r.host.length) lines.push('', 'dequantized, run in fp32, requantized:', renderTable(['node', 'op', 'why'], r.host.map((h) => [h.name, h.op, h.reason]), { align: ['left', 'left', 'left'] }));
  lines.push('', 'against fp32 (the same graph, BatchNormalization folded):', renderTable(['output', 'top-1 agreement', 'rows', 'max |error|', 'SQNR dB'], r.agreement.map((o) => [o.name, `${(100 * o.top1Agreement).toFixed(1)}%`, o.rows, o.maxAbsError.toPrecision(3), db(o.sqnrDb)])));
  return lines.join('\n');
}

/** The terminal report of `accelmap run`: where weights and inputs came from, then each output summarized; at an integer precision, its layers and agreement with fp32. */
export function renderRun(r: { model: string; weights: string; precision: string; outputs: Record<string, ValueSummary>; integer?: IntegerRunSummary }, inputsFrom: string): string {
  const head = `${r.model}${r.precision === 'fp32' ? '' : ` at ${r.precision}`} · weights from ${r.weights} · inputs from ${inputsFrom}\n${renderTable(['output', 'shape', 'type', 'min', 'max', 'mean', 'first values'], Object.entries(r.outputs).map(([n, s]) => row(n, s)))}`;
  return r.integer ? head + renderInteger(r.integer) : head;
}
