import { roundHalfEven } from './round.js';

/**
 * Calibration: the clip value c (the magnitude the largest code stands for)
 * of a symmetric quantizer, or α of an unsigned [0, α] one, chosen from
 * observed values by the maximum, a percentile of |x|, or the value that
 * minimizes the mean squared quantization error.
 */
export type CalibrationMethod = 'max' | 'percentile' | 'mse';

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
}

/** The p-th percentile (0 < p ≤ 100) of |x|, nearest-rank. */
export function percentileAbs(values: ArrayLike<number>, p: number): number {
  if (!(p > 0 && p <= 100)) throw new Error(`percentile ${p} is not in (0, 100]`);
  const a = Float64Array.from(values, Math.abs).sort();
  if (a.length === 0) return 0;
  return a[Math.max(0, Math.ceil((p / 100) * a.length) - 1)]!;
}

/** Mean squared error of clipping |x| at c and rounding to `levels` steps of c / levels (symmetric grid, or [0, c] when unsigned). */
export function clipMse(values: ArrayLike<number>, c: number, levels: number): number {
  return values.length === 0 ? 0 : squaredClipError(values, c, levels) / values.length;
}

function squaredClipError(values: ArrayLike<number>, c: number, levels: number): number {
  const step = c / levels;
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    const q = step > 0 ? Math.min(levels, Math.max(-levels, roundHalfEven(x / step))) * step : 0;
    s += (x - q) ** 2;
  }
  return s;
}

/**
 * The clip in (0, max|x|] minimizing `clipMse`, searched over `candidates`
 * evenly spaced fractions of max|x|. Zeros cost nothing at any clip, so the
 * search sums over the other values only (the same sums, exactly).
 */
export function mseClip(values: ArrayLike<number>, levels: number, candidates = 200): number {
  const m = maxAbs(values);
  const nonzero = Float64Array.from(values).filter((x) => x !== 0);
  let best = m;
  let bestErr = Infinity;
  for (let k = 1; k <= candidates; k++) {
    const c = (m * k) / candidates;
    const e = values.length === 0 ? 0 : squaredClipError(nonzero, c, levels) / values.length;
    if (e < bestErr) {
      bestErr = e;
      best = c;
    }
  }
  return best;
}

/** The clip a method picks; `levels` is the largest code (2^(b−1) − 1 signed, 2^b − 1 unsigned). */
export function calibrate(values: ArrayLike<number>, method: CalibrationMethod, levels: number, percentile = 99.99): number {
  if (method === 'max') return maxAbs(values);
  if (method === 'percentile') return percentileAbs(values, percentile);
  return mseClip(values, levels);
}
