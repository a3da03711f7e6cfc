import { execute, type Feeds, type ParamSource } from '../../execute/execute.js';
import type { Value } from '../../execute/value.js';
import { AccelmapError } from '../../util/errors.js';
import type { Graph } from '../../workload/graph.js';
import type { CalibrationMethod } from '../calibrate.js';
import { isIntegerPrecision, precisionBits, type Precision } from '../formats.js';
import { agreement, sqnrDb, type OutputAgreement } from '../measure.js';
import { COMPUTE_OPS, type PrecisionPlan } from '../plan.js';
import { codeRange, INTEGER_KERNELS, quantizeGraph, type Bounds, type QGraph, type ScaleScheme, weightCodes } from './graph.js';
import { runQGraph } from './run.js';

/**
 * A model run in integer arithmetic at a precision plan: the integer graph
 * built (each compute layer at its planned bits), run by the integer
 * kernels, and its outputs compared with the same graph in fp32.
 */
export interface IntegerLayerReport {
  name: string;
  op: string;
  precision: Precision;
  /** How the plan chose the precision. */
  why: string;
  /** False: the layer ran dequantized in fp32, for `reason`. */
  integer: boolean;
  reason?: string;
  /** Scales: input and output value = code · scale; weights per output channel (least, largest). */
  inputScale?: number;
  outputScale?: number;
  weightScales?: [number, number];
  /** Right shifts of the requantization per output channel (least, largest); negative: a left shift. */
  shifts?: [number, number];
  /** Fixed-point requantization: the 31-bit multipliers M0 per output channel (least, largest). */
  multipliers?: [number, number];
  /** Weight code range; odd: SAWB's odd codes ±1, ±3, …, ±(2^b − 1) (b-bit as an offset code, b + 1 bits signed in the product). */
  weightCodes?: Bounds & { odd: boolean };
  /** Input and output code ranges, the output's narrowed by a fused Relu or Clip. */
  inputCodes?: Bounds;
  outputCodes?: Bounds;
  accumulatorBits?: number;
  /** SQNR of the layer's output (dequantized) against the fp32 run's, error from every layer before included; Infinity when identical. */
  sqnrDb: number;
}

export interface IntegerRunReport {
  /** How layers requantize: 'fixed-point multiplier and shift' (real scales) or 'power-of-two shift'. */
  requantization: string;
  /** How scales, accumulators and rounding work, in words. */
  arithmetic: string[];
  layers: IntegerLayerReport[];
  /** Non-compute nodes run dequantized in fp32, with why. */
  host: { name: string; op: string; reason: string }[];
  /** Graph outputs, dequantized. */
  outputs: Record<string, Value>;
  /** The outputs against the same (BatchNormalization-folded) graph run in fp32. */
  agreement: OutputAgreement[];
}

/** What `accelmap run` reports of an integer run: the report less the output values, with where the calibration came from. */
export type IntegerRunSummary = Omit<IntegerRunReport, 'outputs'> & { calibration: string };

export interface IntegerRunOptions {
  plan: PrecisionPlan;
  calibration: Feeds[];
  method: CalibrationMethod;
  /** Scale scheme of the integer kernels (default real scales, fixed-point requantization). */
  scales?: ScaleScheme;
  progress?: (stage: string, done: number, total: number) => void;
}

/** Bits per compute layer from a plan whose precisions are all integer; names the first layer that is not. */
export function planBits(plan: PrecisionPlan, where: string): Map<string, number> {
  const bits = new Map<string, number>();
  for (const [name, p] of plan.layers) {
    if (!isIntegerPrecision(p)) throw new AccelmapError('bad-flag', `${where}: layer ${name} is planned at ${p}; an integer run takes int8, int4 or int2`, {}, 'plan every compute layer at an integer precision');
    bits.set(name, precisionBits(p));
  }
  return bits;
}

/** The integer run's arithmetic in words, per scale scheme. */
export const ARITHMETIC: Record<ScaleScheme, { requantization: string; lines: string[] }> = {
  real: {
    requantization: 'fixed-point multiplier and shift',
    lines: [
      'activations: codes · S per tensor (a real scale: calibrated clip / largest code) at the bits of the compute layers reading it (graph outputs 16, other tensors 8), unsigned [0, 2^b − 1] where calibration saw no negative value, else signed ±(2^(b−1) − 1)',
      'weights: one real scale per output channel; 8 bits: signed ±127 codes at max |w| / 127; below: SAWB\'s grid, odd codes ±1, ±3, …, ±(2^b − 1) at α* / (2^b − 1) (b-bit as an offset code, b + 1 bits signed in the product)',
      'biases: integers at the accumulator scale S_in · S_w; accumulators 32-bit where K · max|x| · max|w| + max|bias| < 2^31, else 64-bit (at most 2^37)',
      'requantization: M = S_in · S_w / S_out per channel as a 31-bit integer M0 and right shift n (M ≈ M0 · 2^−n); out = round(acc · M0 / 2^n), half up, exact in integer arithmetic; clamp to the output range (a fused Relu or Clip narrows it)',
      'adds: each operand times its own 31-bit multiplier S_a / S_out · 2^n, summed, shifted right by n (half up); max pooling and ReLU on codes; other ops dequantized, run in fp32, requantized (see host)',
    ],
  },
  'power-of-two': {
    requantization: 'power-of-two shift',
    lines: [
      'activations: codes · 2^exp per tensor (power-of-two scales, calibrated) at the bits of the compute layers reading it (graph outputs 16, other tensors 8), unsigned [0, 2^b − 1] where calibration saw no negative value, else signed ±(2^(b−1) − 1)',
      'weights: signed ±(2^(b−1) − 1) codes, one power-of-two scale per output channel (8 bits: from max |w|; below: the least squared error)',
      'biases: integers at the accumulator scale 2^(exp_in + exp_w); accumulators 32-bit where K · max|x| · max|w| + max|bias| (times 2^−shift for a left shift) < 2^31, else 64-bit',
      'requantization: add the bias and half, arithmetic shift right by exp_out − exp_in − exp_w per channel (round half up), clamp to the output range (a fused Relu or Clip narrows it)',
      'adds: operands aligned by left shifts, added, shifted; max pooling and ReLU on codes; other ops dequantized, run in fp32, requantized (see host)',
    ],
  },
};

function span(a: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) [lo, hi] = [Math.min(lo, a[i]!), Math.max(hi, a[i]!)];
  return [lo, hi];
}

/** Per compute node of the integer graph: its precision, output SQNR (`sqnr` by output tensor), and scales or why it stayed in fp32. */
function describe(q: QGraph, plan: PrecisionPlan, sqnr: Map<string, number>): IntegerLayerReport[] {
  const byNode = new Map(q.layers.flatMap((l) => l.nodes.map((n) => [n, l] as const)));
  return q.graph.nodes.filter((n) => COMPUTE_OPS.has(n.op) && byNode.has(n.name)).map((n) => {
    const l = byNode.get(n.name)!;
    const head = { name: n.name, op: n.op, precision: plan.layers.get(n.name) ?? 'int8', why: plan.why.get(n.name) ?? 'made by BatchNormalization folding: int8', sqnrDb: sqnr.get(l.output) ?? Infinity };
    if (l.kind !== 'gemm') return { ...head, integer: false, reason: l.kind === 'host' ? l.reason : 'not a GEMM' };
    const input = q.formats.get(l.inputs[0]!)!;
    return {
      ...head,
      integer: true,
      inputScale: input.scale,
      outputScale: q.formats.get(l.output)!.scale,
      weightScales: span(l.weightScales),
      shifts: span(l.shift),
      ...(l.multiplier ? { multipliers: span(l.multiplier) } : {}),
      weightCodes: { ...weightCodes(l), odd: l.oddWeights },
      inputCodes: codeRange(input),
      outputCodes: l.bounds,
      accumulatorBits: l.accBits,
    };
  });
}

export function runIntegerModel(graph: Graph, feeds: Feeds, params: ParamSource, o: IntegerRunOptions): { qgraph: QGraph; report: IntegerRunReport } {
  const bits = planBits(o.plan, '--plan');
  const profile = { ...INTEGER_KERNELS, scales: o.scales ?? INTEGER_KERNELS.scales };
  const q = quantizeGraph(graph, params, { calibration: o.calibration, method: o.method, bits, profile, progress: (d, n) => o.progress?.('calibration', d, n) });
  const byName = new Map(q.graph.nodes.map((n) => [n.name, n]));
  const run = runQGraph(q, feeds, undefined, (d, n) => o.progress?.('integer', d, n));
  const layerOutputs = new Set(q.layers.filter((l) => l.nodes.some((n) => COMPUTE_OPS.has(byName.get(n)?.op ?? ''))).map((l) => l.output));
  const sqnr = new Map<string, number>();
  const fp32 = execute(q.graph, feeds, q.params, {
    observe: (node, outs) =>
      node.outputs.forEach((t, i) => {
        const codes = run.codes.get(t);
        if (!layerOutputs.has(t) || !codes || !outs[i]) return;
        const scale = q.formats.get(t)!.scale;
        // dequantized to float32, as the run's outputs are
        sqnr.set(t, sqnrDb(outs[i]!.data, Float32Array.from(codes, (c) => c * scale)));
      }),
    progress: (d, n) => o.progress?.('fp32', d, n),
  });
  const host = q.layers.flatMap((l) => (l.kind === 'host' && !COMPUTE_OPS.has(l.node.op) ? [{ name: l.name, op: l.node.op, reason: l.reason }] : []));
  return {
    qgraph: q,
    report: { requantization: ARITHMETIC[q.profile.scales].requantization, arithmetic: ARITHMETIC[q.profile.scales].lines, layers: describe(q, o.plan, sqnr), host, outputs: run.outputs, agreement: q.graph.outputs.map((name) => agreement(name, fp32[name]!, run.outputs[name]!)) },
  };
}
