import type { ValueSummary } from '../execute/summary.js';
import { renderTable } from './table.js';

function row(name: string, s: ValueSummary): (string | number)[] {
  const f = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(5));
  return [name, `[${s.shape.join(',')}]`, s.dtype, f(s.min), f(s.max), f(s.mean), s.first.map(f).join(' ')];
}

/** The terminal report of `accelmap run`: where weights and inputs came from, then each output summarized. */
export function renderRun(r: { model: string; weights: string; outputs: Record<string, ValueSummary> }, inputsFrom: string): string {
  return `${r.model} · weights from ${r.weights} · inputs from ${inputsFrom}\n${renderTable(['output', 'shape', 'type', 'min', 'max', 'mean', 'first values'], Object.entries(r.outputs).map(([n, s]) => row(n, s)))}`;
}
