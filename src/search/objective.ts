import type { CostSum } from '../mapping/cost.js';
import { AccelmapError } from '../util/errors.js';

/**
 * What the mapper minimizes: `latency` (cycles, then energy), `energy`
 * (energy, then cycles), `edp` (energy × cycles), or a lexicographic list
 * such as `energy,latency`.
 */
export type Metric = 'latency' | 'energy' | 'edp';
export const METRICS: readonly Metric[] = ['latency', 'energy', 'edp'];

export interface Objective {
  metrics: Metric[];
}

export function parseObjective(text: string): Objective {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0 || parts.some((p) => !(METRICS as readonly string[]).includes(p))) {
    throw new AccelmapError('bad-flag', `--objective '${text}' is not latency, energy, edp or a comma-separated list of them`, {}, 'e.g. --objective energy,latency');
  }
  const metrics = parts as Metric[];
  // Break ties by the other two, in a fixed order, so that results are unique.
  for (const m of METRICS) if (!metrics.includes(m)) metrics.push(m);
  return { metrics };
}

export function metricValue(metric: Metric, cycles: number, energyPj: number): number {
  return metric === 'latency' ? cycles : metric === 'energy' ? energyPj : cycles * energyPj;
}

/** Negative when (c1, e1) is better than (c2, e2). */
export function compare(o: Objective, c1: number, e1: number, c2: number, e2: number): number {
  for (const m of o.metrics) {
    const a = metricValue(m, c1, e1), b = metricValue(m, c2, e2);
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

/** Whether `a` is strictly better than `b`. */
export function better(o: Objective, a: CostSum, b: CostSum): boolean {
  return compare(o, a.cycles, a.energyPj, b.cycles, b.energyPj) < 0;
}

/** The best of `xs` (the first of equals), or undefined for none: the one place results are chosen between. */
export function best<T extends CostSum>(o: Objective, xs: readonly T[]): T | undefined {
  let top: T | undefined;
  for (const x of xs) if (!top || better(o, x, top)) top = x;
  return top;
}
