import { roundHalfEven } from './round.js';

/**
 * Narrow floating-point formats emulated bit-exactly: a sign bit, `exponentBits`
 * exponent bits with `bias`, `mantissaBits` stored fraction bits, subnormals
 * (exponent code 0). IEEE-style formats reserve the all-ones exponent for
 * infinity and NaN and round overflow to infinity; saturating formats use
 * every exponent code for finite values and clamp to the largest magnitude.
 */
export interface FloatFormat {
  name: string;
  exponentBits: number;
  mantissaBits: number;
  bias: number;
  ieee: boolean;
}

export const FP16: FloatFormat = { name: 'fp16', exponentBits: 5, mantissaBits: 10, bias: 15, ieee: true };
export const BF16: FloatFormat = { name: 'bf16', exponentBits: 8, mantissaBits: 7, bias: 127, ieee: true };
/**
 * HFP8 (Sun et al., NeurIPS 2019): 1-4-3 for forward tensors (weights,
 * activations), 1-5-2 for backward tensors (gradients). The exponent bias is
 * a parameter of the format (`hfp8Forward(bias)`); the defaults here are the
 * standard 2^(e−1) − 1. Both saturate (no infinity or NaN codes).
 */
export function hfp8Forward(bias = 7): FloatFormat {
  return { name: `hfp8 1-4-3 (bias ${bias})`, exponentBits: 4, mantissaBits: 3, bias, ieee: false };
}
export function hfp8Backward(bias = 15): FloatFormat {
  return { name: `hfp8 1-5-2 (bias ${bias})`, exponentBits: 5, mantissaBits: 2, bias, ieee: false };
}

/** Total bits of a format. */
export function formatBits(f: FloatFormat): number {
  return 1 + f.exponentBits + f.mantissaBits;
}

/** The largest finite magnitude. */
export function maxFinite(f: FloatFormat): number {
  const topExponent = 2 ** f.exponentBits - (f.ieee ? 2 : 1) - f.bias;
  return (2 - 2 ** -f.mantissaBits) * 2 ** topExponent;
}

/** The smallest positive (subnormal) magnitude. */
export function minSubnormal(f: FloatFormat): number {
  return 2 ** (1 - f.bias - f.mantissaBits);
}

const bits64 = new Float64Array(1);
const words = new Uint32Array(bits64.buffer);
/** Which 32-bit word of a double holds its sign and exponent (1 on little-endian machines). */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** floor(log2(a)) for a > 0, exactly: a normal double's biased exponent field, a subnormal's by search. */
export function exponentOf(a: number): number {
  bits64[0] = a;
  const biased = (words[HIGH]! >>> 20) & 0x7ff;
  if (biased !== 0) return biased - 1023;
  let e = Math.floor(Math.log2(a));
  while (2 ** e > a) e--;
  while (2 ** (e + 1) <= a) e++;
  return e;
}

/** 2^k for every k a double holds exactly (−1074 … 1023), by table. */
const POW2 = Float64Array.from({ length: 2098 }, (_, i) => 2 ** (i - 1074));
const pow2 = (k: number): number => (k >= -1074 && k <= 1023 ? POW2[k + 1074]! : 2 ** k);

/** Rounds x to the nearest value of the format, ties to even. */
export function roundToFormat(f: FloatFormat, x: number): number {
  return formatRounder(f)(x);
}

/** `roundToFormat` for one format, its constants worked out once (what quantizing a tensor element by element calls). */
export function formatRounder(f: FloatFormat): (x: number) => number {
  const max = maxFinite(f);
  const smallest = 1 - f.bias;
  return (x) => {
    if (Number.isNaN(x)) return f.ieee ? NaN : 0;
    if (x === 0) return x;
    const a = Math.abs(x);
    if (a === Infinity) return f.ieee ? x : Math.sign(x) * max;
    const step = pow2(Math.max(exponentOf(a), smallest) - f.mantissaBits);
    const r = roundHalfEven(a / step) * step;
    // past the largest value: IEEE formats round to infinity (r > max only once a ≥ max + half a step), others saturate
    if (r > max) return Math.sign(x) * (f.ieee ? Infinity : max);
    return Math.sign(x) * r;
  };
}

/** The bit pattern of a value the format holds (round first with `roundToFormat`). */
export function encodeFloat(f: FloatFormat, v: number): number {
  const signBit = v < 0 || Object.is(v, -0) ? 1 : 0;
  const sign = signBit << (f.exponentBits + f.mantissaBits);
  const topCode = 2 ** f.exponentBits - 1;
  if (Number.isNaN(v)) return sign | (topCode << f.mantissaBits) | (1 << (f.mantissaBits - 1));
  const a = Math.abs(v);
  if (a === Infinity) return sign | (topCode << f.mantissaBits);
  if (a === 0) return sign;
  const e = exponentOf(a);
  if (e < 1 - f.bias) return sign | (a / minSubnormal(f));
  const mantissa = a / 2 ** e - 1;
  return sign | ((e + f.bias) << f.mantissaBits) | (mantissa * 2 ** f.mantissaBits);
}

/** The value a bit pattern stands for. */
export function decodeFloat(f: FloatFormat, bits: number): number {
  const m = bits & ((1 << f.mantissaBits) - 1);
  const ec = (bits >>> f.mantissaBits) & ((1 << f.exponentBits) - 1);
  const s = (bits >>> (f.exponentBits + f.mantissaBits)) & 1 ? -1 : 1;
  if (f.ieee && ec === 2 ** f.exponentBits - 1) return m ? NaN : s * Infinity;
  if (ec === 0) return s * m * minSubnormal(f);
  return s * (1 + m / 2 ** f.mantissaBits) * 2 ** (ec - f.bias);
}

/** Every finite value of the format, ascending, each once (±0 as one 0). */
export function representable(f: FloatFormat): number[] {
  const set = new Set<number>();
  for (let b = 0; b < 2 ** formatBits(f); b++) {
    const v = decodeFloat(f, b);
    if (Number.isFinite(v)) set.add(v === 0 ? 0 : v);
  }
  return [...set].sort((p, q) => p - q);
}
