import { AccelmapError } from '../util/errors.js';
import { calibrate, maxAbs, type CalibrationMethod } from './calibrate.js';
import { midRiseQuantizer, pactQuantizer, sawbAlpha } from './clipping.js';
import { BF16, FP16, formatRounder, hfp8Forward, type FloatFormat } from './float.js';
import { decode, encode, symmetric } from './uniform.js';

/**
 * The precisions a model can be run at, and how each quantizes a weight or an
 * activation tensor ("fake quantization": values snapped to what the format
 * holds, kept as numbers).
 *
 * - Float formats (fp16, bf16, hfp8 = 1-4-3 forward) round each element, no scale.
 * - Integer weights: 8 bits symmetric per output channel, scale from the
 *   channel's max |w|; 4 and 2 bits SAWB per output channel (2^b mid-rise
 *   levels, outermost at α*).
 * - Integer activations, one clip per tensor from calibration: a tensor
 *   seen non-negative is clipped PACT-style to [0, α] on 2^b − 1 steps,
 *   otherwise symmetric signed at ±c.
 */
export const PRECISIONS = ['fp32', 'fp16', 'bf16', 'hfp8', 'int8', 'int4', 'int2'] as const;
export type Precision = (typeof PRECISIONS)[number];

export function isPrecision(s: string): s is Precision {
  return (PRECISIONS as readonly string[]).includes(s);
}

const FLOATS: Partial<Record<Precision, FloatFormat>> = { fp16: FP16, bf16: BF16, hfp8: hfp8Forward() };

/** Bits per stored element. */
export function precisionBits(p: Precision): number {
  return { fp32: 32, fp16: 16, bf16: 16, hfp8: 8, int8: 8, int4: 4, int2: 2 }[p];
}

export function isIntegerPrecision(p: Precision): boolean {
  return p.startsWith('int');
}

/** Elementwise quantizer for a weight channel (or tensor) with the given elements. */
export function weightQuantizer(p: Precision, values: ArrayLike<number>): (x: number) => number {
  const f = FLOATS[p];
  if (f) return formatRounder(f);
  if (p === 'fp32') return (x) => Math.fround(x);
  const bits = precisionBits(p);
  if (bits === 8) {
    const q = symmetric(8, maxAbs(values));
    return (x) => decode(q, encode(q, x));
  }
  const alpha = sawbAlpha(values, bits);
  if (!(alpha > 0)) return () => 0;
  return midRiseQuantizer(alpha, bits);
}

/** What calibration observed of an activation tensor: its clip and whether it was ever negative. */
export interface ActivationRange {
  clip: number;
  signed: boolean;
}

/** The range of an activation tensor from observed values, by a calibration method. */
export function activationRange(p: Precision, values: ArrayLike<number>, method: CalibrationMethod): ActivationRange {
  let signed = false;
  for (let i = 0; i < values.length && !signed; i++) if (values[i]! < 0) signed = true;
  if (!isIntegerPrecision(p)) return { clip: maxAbs(values), signed };
  const bits = precisionBits(p);
  return { clip: calibrate(values, method, signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1), signed };
}

/** Elementwise quantizer for an activation with a calibrated range. */
export function activationQuantizer(p: Precision, range: ActivationRange): (x: number) => number {
  const f = FLOATS[p];
  if (f) return formatRounder(f);
  if (p === 'fp32') return (x) => Math.fround(x);
  const bits = precisionBits(p);
  if (!(range.clip > 0)) return () => 0;
  if (!range.signed) return pactQuantizer(range.clip, bits);
  const q = symmetric(bits, range.clip);
  return (x) => decode(q, encode(q, x));
}

export function parsePrecision(s: string, where: string): Precision {
  if (!isPrecision(s)) throw new AccelmapError('bad-flag', `${where} '${s}' is not a precision`, {}, `use one of ${PRECISIONS.join(', ')}`);
  return s;
}
