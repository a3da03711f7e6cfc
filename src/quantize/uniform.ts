import { AccelmapError } from '../util/errors.js';
import { roundHalfEven, type Rounding } from './round.js';

/**
 * Uniform (integer) quantization: q = clamp(round(x / scale) + zeroPoint,
 * qmin, qmax), x̂ = (q − zeroPoint)·scale. Symmetric quantizers have
 * zeroPoint 0 and the signed range [−(2^(b−1) − 1), 2^(b−1) − 1] (the
 * most negative code unused, so that the grid is symmetric); asymmetric ones
 * map [lo, hi] onto the unsigned range [0, 2^b − 1].
 */
export interface UniformQuantizer {
  bits: number;
  scale: number;
  zeroPoint: number;
  qmin: number;
  qmax: number;
}

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) throw new AccelmapError('bad-input', `${bits} bits is not a supported integer width`, {}, 'use 2 to 16 bits');
}

/** Symmetric quantizer whose largest code represents `maxAbs` (a zero range gets scale 1). */
export function symmetric(bits: number, maxAbs: number): UniformQuantizer {
  checkBits(bits);
  const qmax = 2 ** (bits - 1) - 1;
  return { bits, scale: maxAbs > 0 ? maxAbs / qmax : 1, zeroPoint: 0, qmin: -qmax, qmax };
}

/** Asymmetric quantizer covering [lo, hi] widened to include 0 (so that 0 is exact), unsigned codes. */
export function asymmetric(bits: number, lo: number, hi: number): UniformQuantizer {
  checkBits(bits);
  const qmax = 2 ** bits - 1;
  const a = Math.min(lo, 0);
  const b = Math.max(hi, 0);
  const scale = b > a ? (b - a) / qmax : 1;
  const zeroPoint = Math.min(qmax, Math.max(0, roundHalfEven(-a / scale)));
  return { bits, scale, zeroPoint, qmin: 0, qmax };
}

/** The integer code of x. */
export function encode(q: UniformQuantizer, x: number, round: Rounding = roundHalfEven): number {
  const c = round(x / q.scale) + q.zeroPoint;
  return Math.min(q.qmax, Math.max(q.qmin, c));
}

/** The real value a code stands for. */
export function decode(q: UniformQuantizer, code: number): number {
  return (code - q.zeroPoint) * q.scale;
}

/** Every value the quantizer can produce, ascending. */
export function grid(q: UniformQuantizer): number[] {
  const out: number[] = [];
  for (let c = q.qmin; c <= q.qmax; c++) out.push(decode(q, c));
  return out;
}

/** Quantize-dequantize ("fake quantization") of `data` in place or into `out`. */
export function fakeQuantize(q: UniformQuantizer, data: ArrayLike<number>, out: Float32Array | Float64Array = new Float32Array(data.length), round: Rounding = roundHalfEven): Float32Array | Float64Array {
  for (let i = 0; i < data.length; i++) out[i] = decode(q, encode(q, data[i]!, round));
  return out;
}

/**
 * Per-channel fake quantization of a row-major tensor of `shape`: each index
 * along `axis` (a Conv weight's output channels, axis 0; a MatMul weight's
 * columns, the last axis) gets its own quantizer, built by `make` from that
 * channel's elements.
 */
export function fakeQuantizePerChannel(data: ArrayLike<number>, shape: readonly number[], axis: number, make: (values: Float64Array) => (x: number) => number): Float32Array {
  const channels = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const size = data.length / channels;
  const groups = Array.from({ length: channels }, () => new Float64Array(size));
  const fill = new Array<number>(channels).fill(0);
  for (let i = 0; i < data.length; i++) {
    const c = Math.floor(i / inner) % channels;
    groups[c]![fill[c]!++] = data[i]!;
  }
  const quantizers = groups.map(make);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = quantizers[Math.floor(i / inner) % channels]!(data[i]!);
  return out;
}
