import { AccelmapError } from '../util/errors.js';
import { roundHalfEven } from './round.js';

/**
 * Clipping for low-bit training-time quantizers.
 *
 * PACT (Choi et al., 2018, "PACT: Parameterized Clipping Activation for
 * Quantized Neural Networks"): activations are clipped to [0, α] and
 * quantized uniformly to 2^b − 1 steps over [0, α]; α is learned, its
 * gradient (straight-through) being 1 where x ≥ α and 0 elsewhere.
 *
 * SAWB (Choi et al., 2018, "Bridging the Accuracy Gap for 2-bit Quantized
 * Neural Networks (QNN)", arXiv:1807.06964): weights are quantized to 2^b
 * levels placed symmetrically about 0 without a zero level (odd multiples of
 * half a step), the outermost level at α* = c1·sqrt(E[w²]) − c2·E[|w|], with
 * (c1, c2) per bit width fitted by the paper across weight distributions.
 */

/** PACT forward: clip to [0, α], then round to one of 2^bits levels over [0, α]. */
export function pact(x: number, alpha: number, bits: number): number {
  return pactQuantizer(alpha, bits)(x);
}

/** `pact` at one α and width, its constants worked out once. */
export function pactQuantizer(alpha: number, bits: number): (x: number) => number {
  const levels = 2 ** bits - 1;
  return (x) => (roundHalfEven((Math.min(alpha, Math.max(0, x)) * levels) / alpha) * alpha) / levels;
}

/** ∂pact/∂α by the straight-through estimator: 1 where the input is clipped at α, else 0. */
export function pactAlphaGradient(x: number, alpha: number): number {
  return x >= alpha ? 1 : 0;
}

/** SAWB's fitted coefficients (c1, c2) per bit width, from the paper's table. */
export const SAWB_COEFFICIENTS: Readonly<Record<number, readonly [number, number]>> = {
  2: [3.212, 2.178],
  4: [12.68, 12.8],
};

/** SAWB's α* for `bits`-bit weights: c1·sqrt(E[w²]) − c2·E[|w|]. */
export function sawbAlpha(weights: ArrayLike<number>, bits: number): number {
  const c = SAWB_COEFFICIENTS[bits];
  if (!c) throw new AccelmapError('unsupported', `SAWB has fitted coefficients for ${Object.keys(SAWB_COEFFICIENTS).join(', ')} bits, not ${bits}`);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < weights.length; i++) {
    s1 += Math.abs(weights[i]!);
    s2 += weights[i]! ** 2;
  }
  const n = Math.max(1, weights.length);
  return c[0] * Math.sqrt(s2 / n) - c[1] * (s1 / n);
}

/** The 2^bits-level mid-rise quantizer SAWB uses, outermost level ±α: levels (2k + 1)·α / (2^bits − 1). */
export function midRise(x: number, alpha: number, bits: number): number {
  return midRiseQuantizer(alpha, bits)(x);
}

/** `midRise` at one α and width, its constants worked out once. */
export function midRiseQuantizer(alpha: number, bits: number): (x: number) => number {
  const half = 2 ** (bits - 1);
  const step = (2 * alpha) / (2 ** bits - 1);
  return (x) => (Math.min(half - 1, Math.max(-half, Math.floor(x / step))) + 0.5) * step;
}
