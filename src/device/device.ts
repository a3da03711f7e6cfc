import { z } from 'zod';
import { ranged, rangeProblem, type Range } from '../util/ranges.js';
import { parseBytes } from '../util/units.js';
import { OP_CLASSES, type OpClass } from '../workload/op.js';

/**
 * A roofline description of a device: peak arithmetic per precision, memory
 * bandwidth and capacity, and the link to its host. Shared by
 * characterization (modeled op time), training-memory planning (capacity,
 * host link for offloading) and scale-out. Device files are YAML or JSON;
 * presets ship under presets/devices/.
 */
export const PRECISIONS = ['fp64', 'fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'int8', 'int4'] as const;
export type Precision = (typeof PRECISIONS)[number];

export interface HostLink {
  /** e.g. "PCIe 3.0 x16". */
  name?: string;
  /** Peak bandwidth of the link, one direction. */
  bandwidthBytesPerSecond: number;
  /** Fraction of the peak that transfers achieve (0, 1]. */
  efficiency: number;
}

/** Convolution algorithms that transform their operands (Winograd, FFT): they run at their own efficiency, not the convolution class's. */
export const TRANSFORM_METHODS = ['winograd', 'fft'] as const;
export type TransformMethod = (typeof TRANSFORM_METHODS)[number];
/** What an achieved-efficiency factor applies to: an op class, or a transform convolution algorithm. */
export type EfficiencyKind = OpClass | TransformMethod;

export interface Device {
  name: string;
  description?: string;
  /** Peak arithmetic by precision (FLOP/s; integer precisions: operations per second). */
  peakFlopsPerSecond: Partial<Record<Precision, number>>;
  memoryBandwidthBytesPerSecond: number;
  memoryCapacityBytes: number;
  /** Absent for a host processor. */
  hostLink?: HostLink;
  /**
   * Fraction (0, 1] of the roofline that work of a kind achieves on this
   * device as measured (both roofs: peak arithmetic and memory bandwidth);
   * kinds not listed run at the roofline. Each figure's source is written
   * beside it in the device file.
   */
  efficiency?: Partial<Record<EfficiencyKind, number>>;
}

/** What a device's figures may be, and why. */
export const DEVICE_RANGES = {
  peak: { min: 1e3, max: 1e18, unit: 'op/s', why: 'one device computes between a thousand and 1e18 operations per second' },
  bandwidth: { min: 1e3, max: 1e15, unit: 'B/s', why: 'one memory or link moves between 1 kB/s and 1 PB/s' },
  capacity: { min: 1, max: 2 ** 50, unit: 'bytes', why: 'a device memory holds at least a byte and no more than 1 PiB' },
  efficiency: { min: 0, max: 1, minExclusive: true, why: "the fraction of the link's peak that transfers achieve" },
  achieved: { min: 0, max: 1, minExclusive: true, why: 'the fraction of the roofline that work of this kind achieves' },
} satisfies Record<string, Range>;
const R = DEVICE_RANGES;
const achieved = ranged(R.achieved);

/** A byte size: a number of bytes or text such as "12GiB". */
const byteSize = z.union([z.custom<number>((v) => typeof v === 'number'), z.string()], { error: 'must be a number of bytes or a size such as 16GiB' }).transform((v, ctx) => {
  let bytes: number;
  try {
    bytes = typeof v === 'number' ? v : parseBytes(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: `cannot read size '${v}' (write e.g. 16GiB or 12GB)` });
    return z.NEVER;
  }
  const problem = rangeProblem(bytes, R.capacity);
  if (problem === undefined) return bytes;
  ctx.addIssue({ code: 'custom', message: typeof v === 'string' ? `'${v}' is ${problem}` : problem });
  return z.NEVER;
});

export const deviceSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  peakFlopsPerSecond: z
    .strictObject(Object.fromEntries(PRECISIONS.map((p) => [p, ranged(R.peak).optional()])) as Record<Precision, z.ZodOptional<z.ZodCustom<number>>>)
    .refine((peaks) => Object.values(peaks).some((v) => v !== undefined), { error: 'must give at least one precision' }),
  memoryBandwidthBytesPerSecond: ranged(R.bandwidth),
  memoryCapacityBytes: byteSize,
  hostLink: z
    .strictObject({
      name: z.string().optional(),
      bandwidthBytesPerSecond: ranged(R.bandwidth),
      efficiency: ranged(R.efficiency),
    })
    .optional(),
  efficiency: z
    .strictObject(Object.fromEntries([...OP_CLASSES, ...TRANSFORM_METHODS].map((k) => [k, achieved.optional()])) as Record<EfficiencyKind, z.ZodOptional<typeof achieved>>)
    .optional(),
});

/** Element type → the precision whose peak applies. */
/** Bits of one element at each precision (tf32 is stored in 32). */
export const PRECISION_BITS: Record<Precision, number> = { fp64: 64, fp32: 32, tf32: 32, fp16: 16, bf16: 16, fp8: 8, int8: 8, int4: 4 };

const PRECISION_OF: Record<string, Precision> = {
  float64: 'fp64',
  float32: 'fp32',
  float16: 'fp16',
  bfloat16: 'bf16',
  float8e4m3fn: 'fp8',
  float8e4m3fnuz: 'fp8',
  float8e5m2: 'fp8',
  float8e5m2fnuz: 'fp8',
  int8: 'int8',
  uint8: 'int8',
  int4: 'int4',
  uint4: 'int4',
};

export interface Peak {
  precision: Precision;
  flopsPerSecond: number;
  /** False when the device lacks the element type's precision and another one was used. */
  exact: boolean;
}

/**
 * The peak that applies to an element type: its own precision when the
 * device has it, otherwise fp32, otherwise the first precision the device
 * lists (a TPU-like int8 part runs a float model quantized).
 */
export function peakFor(device: Device, dtype: string): Peak {
  const want = PRECISION_OF[dtype] ?? 'fp32';
  const own = device.peakFlopsPerSecond[want];
  if (own) return { precision: want, flopsPerSecond: own, exact: true };
  const fallback = device.peakFlopsPerSecond.fp32 ? 'fp32' : (Object.keys(device.peakFlopsPerSecond)[0] as Precision);
  return { precision: fallback, flopsPerSecond: device.peakFlopsPerSecond[fallback]!, exact: false };
}

/** Roofline time: the longer of computing at peak and moving the bytes at full bandwidth. */
export function rooflineSeconds(flops: number, bytes: number, peakFlopsPerSecond: number, bandwidthBytesPerSecond: number): number {
  return Math.max(flops / peakFlopsPerSecond, bytes / bandwidthBytesPerSecond);
}

/** The achieved fraction of the roofline for work of a kind (1 when the device gives none). */
export function efficiencyFor(device: Device, kind: EfficiencyKind): number {
  return device.efficiency?.[kind] ?? 1;
}

/** Roofline time of work of a kind at the fraction of both roofs the device achieves for it. */
export function achievedSeconds(device: Device, kind: EfficiencyKind, dtype: string, flops: number, bytes: number): number {
  const e = efficiencyFor(device, kind);
  return rooflineSeconds(flops, bytes, peakFor(device, dtype).flopsPerSecond * e, device.memoryBandwidthBytesPerSecond * e);
}

/** Arithmetic intensity (FLOPs per byte) above which an op is compute bound. */
export function ridgeFlopsPerByte(device: Device, dtype = 'float32'): number {
  return peakFor(device, dtype).flopsPerSecond / device.memoryBandwidthBytesPerSecond;
}

/** Effective host-link bandwidth (peak × efficiency); 0 when the device has no host link. */
export function hostBandwidthBytesPerSecond(device: Device): number {
  return device.hostLink ? device.hostLink.bandwidthBytesPerSecond * device.hostLink.efficiency : 0;
}
