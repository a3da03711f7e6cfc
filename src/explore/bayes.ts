import type { Rng } from '../util/rng.js';
import type { Design } from './space.js';

/**
 * The `bayes` strategy's proposal step: ParEGO (J. Knowles, "ParEGO: a hybrid
 * algorithm with on-line landscape approximation for expensive
 * multiobjective optimization problems", IEEE TEC 2006). Each step draws a
 * weight vector, scalarizes the evaluated designs' objectives (each scaled
 * to [0, 1] over the designs so far) with the augmented Chebyshev function
 *   f_λ(y) = max_i λ_i y_i + ρ Σ_i λ_i y_i,  ρ = 0.05,
 * fits a Gaussian process to those values (knob indices scaled to [0, 1],
 * squared-exponential kernel, the length scale chosen from a fixed grid by
 * marginal likelihood, a small fixed noise), and returns the candidate with
 * the largest expected improvement over the best scalarized value. Every
 * step is deterministic given the random stream.
 */

const RHO = 0.05;
const LENGTH_SCALES = [0.1, 0.2, 0.4, 0.8];
const NOISE = 1e-6;

/** A weight vector drawn uniformly from the simplex. */
function simplexWeights(k: number, rng: Rng): number[] {
  const e = Array.from({ length: k }, () => -Math.log(1 - rng.next()));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** Augmented Chebyshev scalarization of objectives scaled to [0, 1]. */
export function chebyshev(y: readonly number[], weights: readonly number[]): number {
  let max = -Infinity;
  let sum = 0;
  y.forEach((v, i) => {
    max = Math.max(max, weights[i]! * v);
    sum += weights[i]! * v;
  });
  return max + RHO * sum;
}

/** Lower-triangular L with L Lᵀ = A (A symmetric positive definite), or undefined. */
function cholesky(a: number[][]): number[][] | undefined {
  const n = a.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (s <= 0) return undefined;
        l[i]![i] = Math.sqrt(s);
      } else l[i]![j] = s / l[j]![j]!;
    }
  }
  return l;
}

/** Solves L x = b (forward) and Lᵀ x = b (backward). */
function forward(l: number[][], b: number[]): number[] {
  const x: number[] = [];
  for (let i = 0; i < b.length; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i]![k]! * x[k]!;
    x.push(s / l[i]![i]!);
  }
  return x;
}
function backward(l: number[][], b: number[]): number[] {
  const n = b.length;
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k]![i]! * x[k]!;
    x[i] = s / l[i]![i]!;
  }
  return x;
}

const sqDist = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0);

export interface GaussianProcess {
  predict(x: readonly number[]): { mean: number; sd: number };
}

/** A zero-mean GP on standardized targets, its length scale the grid's best by log marginal likelihood. */
export function fitGp(xs: number[][], ys: number[]): GaussianProcess {
  const mu = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sd = Math.sqrt(ys.reduce((a, b) => a + (b - mu) ** 2, 0) / ys.length) || 1;
  const t = ys.map((y) => (y - mu) / sd);
  let best: { ell: number; l: number[][]; alpha: number[]; lml: number } | undefined;
  for (const ell of LENGTH_SCALES) {
    const k = xs.map((a) => xs.map((b) => Math.exp(-sqDist(a, b) / (2 * ell * ell))));
    k.forEach((row, i) => (row[i]! += NOISE));
    const l = cholesky(k);
    if (!l) continue;
    const alpha = backward(l, forward(l, t));
    const lml = -0.5 * t.reduce((s, v, i) => s + v * alpha[i]!, 0) - l.reduce((s, row, i) => s + Math.log(row[i]!), 0);
    if (!best || lml > best.lml) best = { ell, l, alpha, lml };
  }
  const fit = best!;
  return {
    predict(x) {
      const kx = xs.map((a) => Math.exp(-sqDist(a, x) / (2 * fit.ell * fit.ell)));
      const mean = kx.reduce((s, v, i) => s + v * fit.alpha[i]!, 0);
      const v = forward(fit.l, kx);
      const variance = Math.max(0, 1 + NOISE - v.reduce((s, w) => s + w * w, 0));
      return { mean: mu + sd * mean, sd: sd * Math.sqrt(variance) };
    },
  };
}

/** Standard normal CDF (Abramowitz and Stegun 7.1.26 for erf, |error| < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Expected improvement below `best` of a normal prediction. */
export function expectedImprovement(mean: number, sd: number, best: number): number {
  if (sd <= 0) return Math.max(0, best - mean);
  const z = (best - mean) / sd;
  return (best - mean) * normalCdf(z) + (sd * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI);
}

/**
 * The index in `candidates` of the design ParEGO evaluates next, given the
 * feasible designs evaluated so far and their objectives (at least two).
 */
export function parEgoPick(done: { design: Design; objectives: number[] }[], candidates: Design[], cardinalities: number[], rng: Rng): number {
  const k = done[0]!.objectives.length;
  const lo = Array.from({ length: k }, (_, i) => Math.min(...done.map((d) => d.objectives[i]!)));
  const hi = Array.from({ length: k }, (_, i) => Math.max(...done.map((d) => d.objectives[i]!)));
  const weights = simplexWeights(k, rng);
  const ys = done.map((d) => chebyshev(d.objectives.map((v, i) => (hi[i]! > lo[i]! ? (v - lo[i]!) / (hi[i]! - lo[i]!) : 0)), weights));
  const scale = (d: Design) => d.map((v, i) => (cardinalities[i]! > 1 ? v / (cardinalities[i]! - 1) : 0));
  const gp = fitGp(done.map((d) => scale(d.design)), ys);
  const best = Math.min(...ys);
  let pick = 0;
  let top = -Infinity;
  candidates.forEach((c, i) => {
    const { mean, sd } = gp.predict(scale(c));
    const ei = expectedImprovement(mean, sd, best);
    if (ei > top) {
      top = ei;
      pick = i;
    }
  });
  return pick;
}
