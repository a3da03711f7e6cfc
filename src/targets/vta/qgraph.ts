import { compileGraph } from '../../compile/index.js';
import { derivedParams } from '../../compile/derived.js';
import { consumersOf } from '../../compile/edit.js';
import { execute, type Feeds, type ParamSource } from '../../execute/execute.js';
import type { Value } from '../../execute/value.js';
import { calibrate, type CalibrationMethod } from '../../quantize/calibrate.js';
import { roundHalfEven } from '../../quantize/round.js';
import { AccelmapError } from '../../util/errors.js';
import type { Graph, Node } from '../../workload/graph.js';
import { convGeometry, type ConvAttrs } from '../../workload/ops/conv.js';
import type { PoolAttrs } from '../../workload/ops/pool.js';
import { slidingWindow } from '../../workload/shape.js';

/**
 * The int8 graph VTA runs, as VTA's quantization makes it: every activation
 * is int8 codes times a power-of-two scale 2^exp (exp from calibration:
 * the smallest with clip ≤ 127·2^exp); weights int8 per output channel, also
 * with power-of-two scales; biases int32 at the accumulator's scale. A
 * layer's requantization is then an add (bias plus the rounding half), an
 * arithmetic shift per channel and a clip, all on the ALU. Ops VTA does not
 * run stay on the host: they read dequantized values, compute in fp32 with
 * the reference executor's kernels and quantize their output.
 */
export const QMAX = 127;

/** A 2-D sliding window over an NCHW input: n × c planes of h × w, kernel kh × kw, strides, dilations, leading padding, p × q outputs. */
export interface WindowGeo {
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  padTop: number;
  padLeft: number;
  p: number;
  q: number;
}

/** A convolution's window (2-D, ungrouped) and its k output channels. */
export interface ConvGeo extends WindowGeo {
  k: number;
}

/** Where kernel element (i, j) of output (p, q) reads plane `plane` (= batch · c + channel) of the input: an NCHW index, or −1 in the padding. */
export function windowInput(g: WindowGeo, plane: number, p: number, q: number, i: number, j: number): number {
  const y = p * g.sh - g.padTop + i * g.dh;
  const x = q * g.sw - g.padLeft + j * g.dw;
  return y >= 0 && y < g.h && x >= 0 && x < g.w ? (plane * g.h + y) * g.w + x : -1;
}

interface LayerBase {
  name: string;
  /** Graph nodes this layer covers (a Relu fused into its producer included). */
  nodes: string[];
  inputs: string[];
  output: string;
}

/** Code bounds of a layer's output: [−127, 127], or those of a fused Relu or Clip. */
export interface Bounds {
  lo: number;
  hi: number;
}

/** out = clamp((Σ a·w + bias) >> shift, lo, hi) per output channel; a convolution runs as a GEMM over its im2col rows. */
export interface GemmLayer extends LayerBase {
  kind: 'gemm';
  conv?: ConvGeo;
  m: number;
  k: number;
  n: number;
  /** n × k int8, row-major. */
  weight: Int8Array;
  /** Bias at the accumulator's scale, plus the rounding half of the shift. */
  bias: Int32Array;
  shift: Int32Array;
  bounds: Bounds;
}

/** out = clamp(((a << la) + (b << lb) + round) >> shift, lo, hi), or the same for one operand (a lone Relu or Clip). */
export interface AddLayer extends LayerBase {
  kind: 'add';
  la: number;
  lb: number;
  shift: number;
  bounds: Bounds;
}

export interface MaxPoolLayer extends LayerBase {
  kind: 'maxpool';
  pool: WindowGeo;
}

export interface HostLayer extends LayerBase {
  kind: 'host';
  node: Node;
  /** Why it is not run on VTA. */
  reason: string;
}

export type QLayer = GemmLayer | AddLayer | MaxPoolLayer | HostLayer;

export interface QGraph {
  name: string;
  /** The compiled fp32 graph the layers come from (BatchNormalization folded). */
  graph: Graph;
  params: ParamSource;
  layers: QLayer[];
  /** Scale exponent of every float activation tensor: value = code · 2^exp (other tensors host ops make stay as they are). */
  exps: Map<string, number>;
}

export interface QuantizeOptions {
  calibration: Feeds[];
  method: CalibrationMethod;
  progress?: (done: number, total: number) => void;
}

/** The exponent of the power-of-two scale that covers `clip` with codes up to 127. */
function scaleExp(clip: number): number {
  return clip > 0 ? Math.ceil(Math.log2(clip / QMAX) - 1e-12) : 0;
}

/** The code of x at scale 2^exp: round half to even, clipped to ±127. */
export function quantizer(exp: number): (x: number) => number {
  const inv = 2 ** -exp;
  return (x) => Math.max(-QMAX, Math.min(QMAX, roundHalfEven(x * inv)));
}

/** Shape ops that only move codes: their output keeps the input's scale. */
const MOVES: ReadonlySet<string> = new Set(['Flatten', 'Reshape', 'Identity', 'Dropout', 'Squeeze', 'Unsqueeze', 'Transpose', 'MaxPool']);

/** Builds the int8 graph: BatchNormalization folded, activations calibrated on `o.calibration`, supported ops matched. */
export function quantizeGraph(source: Graph, baseParams: ParamSource, o: QuantizeOptions): QGraph {
  if (source.mode !== 'infer') throw new AccelmapError('unsupported', 'VTA compiles inference graphs', {}, 'drop --mode train');
  for (const name of source.inputs) {
    if (source.tensors[name]!.dtype !== 'float32') throw new AccelmapError('unsupported', `input '${name}' is ${source.tensors[name]!.dtype}; VTA quantizes float32 inputs`, {});
  }
  const compiled = compileGraph(source, { passes: ['simplify', 'bn-fold'] });
  const graph = compiled.graph;
  const params = derivedParams(baseParams, compiled.derived, graph.tensors, source.tensors);
  if (!o.calibration.length) throw new AccelmapError('bad-input', 'no calibration inputs', {}, 'give at least one calibration set');

  // Calibration: every activation's values over all calibration runs.
  const seen = new Map<string, Float32Array[]>();
  const note = (name: string, v: Value) => seen.set(name, [...(seen.get(name) ?? []), Float32Array.from(v.data)]);
  o.calibration.forEach((feeds, k) => {
    for (const name of graph.inputs) note(name, feeds[name]!);
    execute(graph, feeds, params, { observe: (node, outs) => node.outputs.forEach((t, i) => t && outs[i] && note(t, outs[i]!)), progress: (d, n) => o.progress?.(k * n + d, o.calibration.length * n) });
  });
  const exps = new Map<string, number>();
  const readers = consumersOf(graph);
  const outputs = new Set(graph.outputs);
  const calibrated = (t: string) => {
    const chunks = seen.get(t) ?? [];
    const all = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
    chunks.reduce((at, c) => (all.set(c, at), at + c.length), 0);
    return scaleExp(calibrate(all, o.method, QMAX));
  };
  for (const name of graph.inputs) exps.set(name, calibrated(name));

  const layers: QLayer[] = [];
  const fusedActivation = new Set<number>();
  graph.nodes.forEach((node, i) => {
    if (fusedActivation.has(i) || node.outputs.every((t) => !t || graph.tensors[t]?.value !== undefined)) return;
    const out = node.outputs[0]!;
    const only = readers.get(out) ?? [];
    const reader = only.length === 1 ? graph.nodes[only[0]!]! : undefined;
    const fused = ['Conv', 'Gemm', 'MatMul', 'Add'].includes(node.op) && !outputs.has(out) && reader ? valueBounds(graph, reader) : undefined;
    const acts = node.inputs.filter((t) => t && exps.has(t));
    if (MOVES.has(node.op) && acts.length === 1 && node.outputs.filter(Boolean).length === 1) exps.set(out, exps.get(acts[0]!)!);
    else for (const t of node.outputs) if (t && graph.tensors[t]?.dtype === 'float32') exps.set(t, calibrated(t));
    const output = fused ? reader!.outputs[0]! : out;
    if (fused) exps.set(output, calibrated(output));
    const own = valueBounds(graph, node);
    const bounds = codeBounds(fused ?? (own && acts.length === 1 ? own : undefined), exps.get(output) ?? 0);
    const layer = matchLayer(graph, node, params, exps, { name: node.name, nodes: fused ? [node.name, reader!.name] : [node.name], inputs: acts, output }, bounds);
    if (typeof layer === 'string') {
      layers.push({ kind: 'host', name: node.name, nodes: [node.name], inputs: acts, output: out, node, reason: layer });
      return;
    }
    layers.push(layer);
    if (fused) {
      // the Relu or Clip runs in the layer's epilogue; the tensor before it is never formed
      fusedActivation.add(only[0]!);
      exps.delete(out);
    }
  });
  return { name: graph.name, graph, params, layers, exps };
}

/** The value range a Relu or a Clip with constant bounds lets through; undefined for other nodes. */
function valueBounds(graph: Graph, node: Node): [number, number] | undefined {
  if (node.op === 'Relu') return [0, Infinity];
  if (node.op !== 'Clip') return undefined;
  const at = (i: number, none: number) => (node.inputs[i] ? graph.tensors[node.inputs[i]!]?.value?.[0] : none);
  const [lo, hi] = [at(1, -Infinity), at(2, Infinity)];
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

/** A value range as code bounds at scale 2^exp (the whole ±127 range when there is none). */
function codeBounds(range: [number, number] | undefined, exp: number): Bounds {
  if (!range) return { lo: -QMAX, hi: QMAX };
  const code = quantizer(exp);
  return { lo: range[0] === -Infinity ? -QMAX : code(range[0]), hi: range[1] === Infinity ? QMAX : code(range[1]) };
}

/** The VTA layer for a node, or why it stays on the host. */
function matchLayer(graph: Graph, node: Node, params: ParamSource, exps: Map<string, number>, base: LayerBase, bounds: Bounds): QLayer | string {
  const ex = (t: string) => exps.get(t)!;
  const stored = (t: string | undefined) => !!t && ['weight', 'constant'].includes(graph.tensors[t]?.kind ?? '');
  if (node.op === 'Conv') {
    const a = node.attrs as ConvAttrs;
    const x = graph.tensors[node.inputs[0]!]!;
    const w = graph.tensors[node.inputs[1]!]!;
    if (!exps.has(node.inputs[0]!) || !stored(node.inputs[1])) return 'the weight is not a stored tensor';
    const geo = convGeometry(x, w, a);
    if (geo.kernel.length !== 2) return `${geo.kernel.length}-D convolution (VTA lowering takes 2-D)`;
    if (geo.group !== 1) return `grouped convolution (group ${geo.group}) is not lowered to the GEMM core`;
    const conv: ConvGeo = { n: geo.N, c: geo.C, h: geo.inSize[0]!, w: geo.inSize[1]!, k: geo.K, kh: geo.kernel[0]!, kw: geo.kernel[1]!, sh: geo.strides[0]!, sw: geo.strides[1]!, dh: geo.dilations[0]!, dw: geo.dilations[1]!, padTop: geo.pads[0]!, padLeft: geo.pads[1]!, p: geo.outSize[0]!, q: geo.outSize[1]! };
    const k = conv.c * conv.kh * conv.kw;
    return gemmLayer(base, { m: conv.n * conv.p * conv.q, k, n: conv.k, conv }, params(w)!.data, node.inputs[2] ? params(graph.tensors[node.inputs[2]]!)!.data : undefined, ex(node.inputs[0]!), ex(base.output), bounds);
  }
  if (node.op === 'Gemm' || node.op === 'MatMul') {
    const x = graph.tensors[node.inputs[0]!]!;
    const w = graph.tensors[node.inputs[1]!]!;
    if (!exps.has(node.inputs[0]!) || !stored(node.inputs[1]) || x.shape.length !== 2 || w.shape.length !== 2) return 'only a rank-2 input times a stored rank-2 weight is lowered';
    const transB = node.op === 'Gemm' && node.attrs.transB ? 1 : 0;
    if (node.op === 'Gemm' && (node.attrs.transA || node.attrs.alpha !== 1 || (node.inputs[2] && (node.attrs.beta !== 1 || graph.tensors[node.inputs[2]]!.shape.length !== 1 || !stored(node.inputs[2]))))) return 'Gemm with transA, alpha/beta ≠ 1 or a non-vector C';
    const [kk, nn] = transB ? [w.shape[1]!, w.shape[0]!] : [w.shape[0]!, w.shape[1]!];
    const wd = params(w)!.data;
    const wt = transB ? wd : Float32Array.from({ length: kk * nn }, (_, i) => wd[(i % kk) * nn + Math.floor(i / kk)]!);
    const bias = node.op === 'Gemm' && node.inputs[2] ? params(graph.tensors[node.inputs[2]]!)!.data : undefined;
    return gemmLayer(base, { m: x.shape[0]!, k: kk, n: nn }, wt, bias, ex(node.inputs[0]!), ex(base.output), bounds);
  }
  if (node.op === 'Add') {
    const [a, b] = node.inputs as [string, string];
    if (!exps.has(a) || !exps.has(b) || graph.tensors[a]!.shape.join() !== graph.tensors[b]!.shape.join()) return 'only an add of two activations of one shape is lowered';
    const lo = Math.min(ex(a), ex(b));
    const shift = ex(base.output) - lo;
    if (ex(a) - lo > 15 || ex(b) - lo > 15 || shift > 15 || shift < -15) return 'the scales differ by more than the 16-bit immediate shifts';
    return { kind: 'add', ...base, la: ex(a) - lo, lb: ex(b) - lo, shift, bounds };
  }
  if (valueBounds(graph, node) && base.inputs.length === 1) return { kind: 'add', ...base, la: 0, lb: 0, shift: 0, bounds };
  if (node.op === 'MaxPool') {
    const a = node.attrs as PoolAttrs;
    const x = graph.tensors[node.inputs[0]!]!;
    if (x.shape.length !== 4 || node.outputs.filter(Boolean).length > 1 || base.inputs.length !== 1) return 'only a 2-D max pool without indices is lowered';
    const dil = a.dilations.length ? a.dilations : [1, 1];
    const strides = a.strides.length ? a.strides : [1, 1];
    const g = slidingWindow(x.shape.slice(2), { kernel: a.kernel_shape, strides, dilations: dil, pads: a.pads, autoPad: a.auto_pad, ceilMode: a.ceil_mode === 1 });
    const [n, c, h, w] = x.shape as [number, number, number, number];
    return { kind: 'maxpool', ...base, pool: { n, c, h, w, kh: a.kernel_shape[0]!, kw: a.kernel_shape[1]!, sh: strides[0]!, sw: strides[1]!, dh: dil[0]!, dw: dil[1]!, padTop: g.pads[0]!, padLeft: g.pads[1]!, p: g.outSize[0]!, q: g.outSize[1]! } };
  }
  return `${node.op} is not a VTA operator`;
}

/** Quantizes a GEMM's weights per output channel (power-of-two scales) and derives its bias and shifts. */
function gemmLayer(base: LayerBase, dims: { m: number; k: number; n: number; conv?: ConvGeo }, w: ArrayLike<number>, b: ArrayLike<number> | undefined, inExp: number, outExp: number, bounds: Bounds): GemmLayer {
  const { k, n } = dims;
  const weight = new Int8Array(n * k);
  const bias = new Int32Array(n);
  const shift = new Int32Array(n);
  for (let c = 0; c < n; c++) {
    let max = 0;
    for (let j = 0; j < k; j++) max = Math.max(max, Math.abs(w[c * k + j]!));
    const we = scaleExp(max);
    const code = quantizer(we);
    for (let j = 0; j < k; j++) weight[c * k + j] = code(w[c * k + j]!);
    const s = Math.min(31, outExp - inExp - we);
    shift[c] = s;
    const bq = b ? roundHalfEven(b[c]! / 2 ** (inExp + we)) : 0;
    bias[c] = (bq + (s > 0 ? 2 ** (s - 1) : 0)) | 0;
  }
  return { kind: 'gemm', ...base, ...dims, weight, bias, shift, bounds };
}
