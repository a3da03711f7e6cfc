import { execute, type ExecuteOptions, type Feeds, type ParamSource } from '../execute/execute.js';
import type { Value } from '../execute/value.js';
import type { Graph, Node } from '../workload/graph.js';
import { numel } from '../workload/graph.js';
import type { CalibrationMethod } from './calibrate.js';
import { activationQuantizer, activationRange, precisionBits, weightQuantizer, type ActivationRange, type Precision } from './formats.js';
import { computeNodes, type PrecisionPlan } from './plan.js';
import { fakeQuantizePerChannel } from './uniform.js';

/**
 * Measured numerical error of running a model at reduced precision: the
 * graph runs once in fp32 and once with the weights and activations read by
 * each compute layer (inputs 0 and 1; biases stay fp32, as the 32-bit
 * accumulators they are added to) fake-quantized to that layer's precision.
 * Per layer, the SQNR of its output against the fp32 run's (error
 * accumulated from every layer before it); per graph output, top-1
 * agreement over the batch rows and the largest absolute error.
 */
export interface LayerError {
  name: string;
  op: string;
  precision: Precision;
  why: string;
  /** 10·log10(Σ ref² / Σ (ref − quantized)²); Infinity when identical. */
  sqnrDb: number;
  weightElements: number;
  weightBytes: number;
}

export interface OutputAgreement {
  name: string;
  /** Fraction of batch rows whose argmax over the last axis matches fp32's. */
  top1Agreement: number;
  rows: number;
  maxAbsError: number;
  sqnrDb: number;
}

export interface QuantizeReport {
  layers: LayerError[];
  outputs: OutputAgreement[];
  /** Weight bytes of the compute layers at fp32 and at the plan's precisions. */
  weightBytesFp32: number;
  weightBytes: number;
  /** Where activation clips came from. */
  activations: string;
}

/** SQNR in dB of `test` against `ref`. */
export function sqnrDb(ref: ArrayLike<number>, test: ArrayLike<number>): number {
  let s = 0;
  let e = 0;
  for (let i = 0; i < ref.length; i++) {
    s += ref[i]! ** 2;
    e += (ref[i]! - test[i]!) ** 2;
  }
  return e === 0 ? Infinity : 10 * Math.log10(s / e);
}

/** Which axis of a compute layer's weight holds its output channels (null: quantize per tensor). */
function channelAxis(node: Node, index: number, rank: number): number | null {
  if (index !== 1 || rank < 2) return null;
  if (node.op === 'Conv') return 0;
  if (node.op === 'ConvTranspose') return 1;
  if (node.op === 'Gemm') return node.attrs.transB ? 0 : 1;
  return rank - 1; // MatMul: [.., K, N]
}

function quantizeWeight(node: Node, index: number, v: Value, p: Precision): Value {
  const axis = channelAxis(node, index, v.shape.length);
  const data = axis === null ? Float32Array.from(v.data, weightQuantizer(p, v.data)) : fakeQuantizePerChannel(v.data, v.shape, axis, (values) => weightQuantizer(p, values));
  return { shape: v.shape, dtype: v.dtype, data };
}

function quantizeActivation(v: Value, p: Precision, range: ActivationRange): Value {
  return { shape: v.shape, dtype: v.dtype, data: Float32Array.from(v.data, activationQuantizer(p, range)) };
}

/** Quantizes what a compute layer reads at input `index` at precision `p`. */
export type LayerInputQuantizer = (node: Node, index: number, value: Value, p: Precision) => Value;

/**
 * How a compute layer's inputs are quantized: inputs 0 and 1 (a weight per
 * output channel, an activation per tensor with the calibrated range of the
 * layer, or its own values' range by `method`); biases and fp32 unchanged.
 * With `weightCache`, a weight is quantized once per precision.
 */
export function layerInputQuantizer(graph: Graph, method: CalibrationMethod, ranges?: Map<string, ActivationRange>, weightCache?: Map<string, Value>): LayerInputQuantizer {
  return (node, i, v, p) => {
    if (p === 'fp32' || i > 1) return v;
    if (graph.tensors[node.inputs[i]!]!.kind !== 'weight') return quantizeActivation(v, p, ranges?.get(node.name) ?? activationRange(p, v.data, method));
    if (!weightCache) return quantizeWeight(node, i, v, p);
    const key = `${node.inputs[i]}@${p}`;
    if (!weightCache.has(key)) weightCache.set(key, quantizeWeight(node, i, v, p));
    return weightCache.get(key)!;
  };
}

export interface MeasureOptions {
  /** Feeds to calibrate activation clips on (fp32 runs); none: each activation's clip from its own values at run time. */
  calibration?: Feeds[];
  method: CalibrationMethod;
  progress?: (stage: string, done: number, total: number) => void;
}

/** Activation ranges per compute layer (input 0) from fp32 runs on the calibration feeds. */
export function calibrateActivations(graph: Graph, params: ParamSource, plan: PrecisionPlan, feeds: Feeds[], method: CalibrationMethod, progress?: MeasureOptions['progress']): Map<string, ActivationRange> {
  const seen = new Map<string, number[][]>();
  feeds.forEach((f, k) => {
    execute(graph, f, params, {
      transformInput: (node, i, v) => {
        if (i === 0 && plan.layers.has(node.name)) seen.set(node.name, [...(seen.get(node.name) ?? []), Array.from(v.data)]);
        return v;
      },
      progress: (d, n) => progress?.(`calibration ${k + 1}/${feeds.length}`, d, n),
    });
  });
  const ranges = new Map<string, ActivationRange>();
  for (const [name, chunks] of seen) ranges.set(name, activationRange(plan.layers.get(name)!, chunks.flat(), method));
  return ranges;
}

export function measureQuantization(graph: Graph, feeds: Feeds, params: ParamSource, plan: PrecisionPlan, o: MeasureOptions): QuantizeReport {
  const ranges = o.calibration?.length ? calibrateActivations(graph, params, plan, o.calibration, o.method, o.progress) : undefined;
  const reference = new Map<string, Value>();
  const run = (stage: string, opts: ExecuteOptions) => execute(graph, feeds, params, { ...opts, progress: (d, n) => o.progress?.(stage, d, n) });
  const refOut = run('fp32', { observe: (node, out) => plan.layers.has(node.name) && reference.set(node.name, out[0]!) });

  const layerSqnr = new Map<string, number>();
  const quantize = layerInputQuantizer(graph, o.method, ranges, new Map());
  const qOut = run('quantized', {
    transformInput: (node, i, v) => {
      const p = plan.layers.get(node.name);
      return p ? quantize(node, i, v, p) : v;
    },
    observe: (node, out) => {
      const ref = reference.get(node.name);
      if (ref) layerSqnr.set(node.name, sqnrDb(ref.data, out[0]!.data));
    },
  });

  let weightBytesFp32 = 0;
  let weightBytes = 0;
  const layers = computeNodes(graph).map((n): LayerError => {
    const p = plan.layers.get(n.name)!;
    const weightElements = n.inputs.slice(0, 2).reduce((s, name) => (name && graph.tensors[name]?.kind === 'weight' ? s + numel(graph.tensors[name]!.shape) : s), 0);
    weightBytesFp32 += weightElements * 4;
    weightBytes += (weightElements * precisionBits(p)) / 8;
    return { name: n.name, op: n.op, precision: p, why: plan.why.get(n.name)!, sqnrDb: layerSqnr.get(n.name) ?? Infinity, weightElements, weightBytes: (weightElements * precisionBits(p)) / 8 };
  });
  const outputs = graph.outputs.map((name) => agreement(name, refOut[name]!, qOut[name]!));
  const activations = ranges ? `clips calibrated (${o.method}) on ${o.calibration!.length} input set(s) drawn apart from the evaluated one` : `clips from each activation's own values at run time (${o.method}); --calibrate N fixes them beforehand`;
  return { layers, outputs, weightBytesFp32, weightBytes, activations };
}

/** How a quantized output agrees with the fp32 one: top-1 over the batch rows, largest absolute error, SQNR. */
export function agreement(name: string, ref: Value, q: Value): OutputAgreement {
  const cols = ref.shape.at(-1) ?? 1;
  const rows = ref.data.length / Math.max(1, cols);
  let agree = 0;
  for (let r = 0; r < rows; r++) if (argmax(ref.data, r * cols, cols) === argmax(q.data, r * cols, cols)) agree++;
  let maxAbsError = 0;
  for (let i = 0; i < ref.data.length; i++) maxAbsError = Math.max(maxAbsError, Math.abs(ref.data[i]! - q.data[i]!));
  return { name, top1Agreement: rows ? agree / rows : 1, rows, maxAbsError, sqnrDb: sqnrDb(ref.data, q.data) };
}

function argmax(d: ArrayLike<number>, start: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (d[start + i]! > d[start + best]!) best = i;
  return best;
}
