import { compileGraph } from '../../compile/index.js';
import { derivedParams } from '../../compile/derived.js';
import { consumersOf } from '../../compile/edit.js';
import { execute, type Feeds, type ParamSource } from '../../execute/execute.js';
import type { Value } from '../../execute/value.js';
import { calibrate, type CalibrationMethod } from '../calibrate.js';
import { COMPUTE_OPS } from '../plan.js';
import { roundHalfEven } from '../round.js';
import { sawbAlpha } from '../clipping.js';
import { AccelmapError } from '../../util/errors.js';
import { numel, type Graph, type Node } from '../../workload/graph.js';
import { convGeometry, type ConvAttrs } from '../../workload/ops/conv.js';
import type { PoolAttrs } from '../../workload/ops/pool.js';
import { slidingWindow } from '../../workload/shape.js';
import { fixedPointMultiplier, MAX_ACC } from './fixed-point.js';

/**
 * The integer graph: a model as integer layers with explicit scales,
 * independent of what runs it (the integer kernels of kernels.ts, or a
 * target's programs, such as VTA's). A profile's scales are real numbers
 * with fixed-point requantization (the integer kernels), or powers of two
 * with shifts (VTA, whose hardware shifts but does not multiply); what
 * follows describes the power-of-two scheme, and the real-scale one after it.
 *
 * - Every activation tensor is integer codes times 2^exp, at `bits` bits:
 *   signed codes in ±(2^(bits−1) − 1) (the grid symmetric, the most
 *   negative code unused: int2 is {−1, 0, 1}), or, where the profile allows
 *   unsigned codes and calibration never saw a negative value, [0, 2^bits − 1]
 *   (int2 after a ReLU: {0, 1, 2, 3}). exp is the smallest covering the
 *   calibrated clip with the largest code.
 * - A tensor's bits are those of the compute layers that read it, directly
 *   or through shape ops and max pooling (the largest when several do); 8
 *   where none does (a residual add's operands, a pooling's input); graph
 *   outputs at the profile's output bits (16 for the integer kernels: the
 *   logits' grid much finer than their differences, 8 on VTA). A
 *   compute layer reading a tensor held at more bits reads it requantized to
 *   its own (a one-operand add layer, `tensor@intB`).
 * - Weights are signed codes at the layer's bits, one power-of-two scale per
 *   output channel: 8 bits from the channel's max |w|; below 8, the exponent
 *   (of the one from the max and the three below it) with the least squared
 *   error over the channel.
 * - Biases are integers at the accumulator's scale 2^(exp_in + exp_w), plus
 *   the rounding half of the shift. Accumulators are 32-bit where
 *   K · max|x code| · max|w code| + max|bias| (times 2^−shift where the shift
 *   is a left one) fits, else 64-bit (a profile may refuse that and leave the
 *   layer on the host).
 * - A layer's requantization is an add (bias and rounding half), an arithmetic
 *   shift right by exp_out − exp_in − exp_w per channel (floor: with the half,
 *   round half up), and a clamp to the output's code range, narrowed by a
 *   fused Relu or Clip.
 * - Adds align their operands by left shifts, add, round and shift; max
 *   pooling and shape ops move codes unchanged; everything else ("host"
 *   layers) reads dequantized values, computes in fp32 with the reference
 *   executor's kernels and quantizes its output, each with the reason.
 */

/** What an integer graph may use: who runs it (for the reasons host layers give), and what that runner allows. */
export interface IntegerProfile {
  runner: string;
  /** Real scales with fixed-point requantization (a multiplier and a shift), or power-of-two scales with shifts only. */
  scales: ScaleScheme;
  /** Unsigned activation codes for tensors calibration saw non-negative. */
  unsigned: boolean;
  /** Grouped (and depthwise) convolutions as integer layers. */
  grouped: boolean;
  /** The widest accumulator (bits) a layer may need. */
  maxAccBits: number;
  /** Bits of the graph's outputs (the logits, finer than the layers' codes where the runner allows). */
  outputBits: number;
  /** Why an op of this kind is not an integer layer. */
  hostReason(op: string): string;
}

const HOST_REASONS: Record<string, string> = {
  GlobalAveragePool: 'an average divides by the window size, not a power of two',
  AveragePool: 'an average divides by the window size, not a power of two',
  Concat: 'its operands are held at different scales',
};

/** The target-independent profile: what kernels.ts computes (accumulators exact in doubles up to 2^53). */
export const INTEGER_KERNELS: IntegerProfile = {
  runner: 'the integer kernels',
  scales: 'real',
  unsigned: true,
  grouped: true,
  maxAccBits: 64,
  outputBits: 16,
  hostReason: (op) => (MOVES.has(op) ? 'moves values only (exact: requantized at the same scale)' : HOST_REASONS[op] ?? `no integer kernel for ${op}`),
};

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

/** A 2-D convolution's window, its k output channels and its groups. */
export interface ConvGeo extends WindowGeo {
  k: number;
  group: number;
}

/** Where kernel element (i, j) of output (p, q) reads plane `plane` (= batch · c + channel) of the input: an NCHW index, or −1 in the padding. */
export function windowInput(g: WindowGeo, plane: number, p: number, q: number, i: number, j: number): number {
  const y = p * g.sh - g.padTop + i * g.dh;
  const x = q * g.sw - g.padLeft + j * g.dw;
  return y >= 0 && y < g.h && x >= 0 && x < g.w ? (plane * g.h + y) * g.w + x : -1;
}

export type ScaleScheme = 'real' | 'power-of-two';

/** How a tensor is held: codes in [lo, hi] standing for code · scale (scale = 2^exp under power-of-two scales). */
export interface TensorFormat {
  scale: number;
  /** Under power-of-two scales: log2 of the scale. */
  exp?: number;
  bits: number;
  signed: boolean;
}

/** Code bounds: the whole range of a tensor's format, or those of a fused Relu or Clip within it. */
export interface Bounds {
  lo: number;
  hi: number;
}

export function codeRange(f: { bits: number; signed: boolean }): Bounds {
  return f.signed ? { lo: -(2 ** (f.bits - 1) - 1), hi: 2 ** (f.bits - 1) - 1 } : { lo: 0, hi: 2 ** f.bits - 1 };
}

interface LayerBase {
  name: string;
  /** Graph nodes this layer covers (a Relu fused into its producer included). */
  nodes: string[];
  inputs: string[];
  output: string;
}

/**
 * Per output channel, power-of-two scales: out = clamp((Σ a·w + bias) >> shift, lo, hi), the bias holding the rounding half;
 * real scales: out = clamp(round_half_up((Σ a·w + bias) · multiplier / 2^shift), lo, hi) (fixed-point.ts).
 * A convolution is a GEMM over its window rows, per group.
 */
export interface GemmLayer extends LayerBase {
  kind: 'gemm';
  conv?: ConvGeo;
  m: number;
  /** Reduction length (per group). */
  k: number;
  n: number;
  /** Bits of the weights and of the input codes. */
  bits: number;
  /**
   * n × k signed codes, row-major: ±(2^(bits−1) − 1) with a zero, or, below 8 bits under real scales, SAWB's odd codes
   * ±1, ±3, …, ±(2^bits − 1) (b-bit values as an offset code; the product takes them as (b+1)-bit signed).
   */
  weight: Int8Array;
  /** The weights are SAWB's odd codes (see `weightCodes`). */
  oddWeights: boolean;
  /** Per output channel: weight = code · weightScales[c]. */
  weightScales: Float64Array;
  /** Bias at the accumulator's scale (plus the rounding half of the shift under power-of-two scales). */
  bias: Int32Array;
  shift: Int32Array;
  /** Real scales: the 31-bit multiplier M0 per channel, M0 · 2^−shift = S_in · S_w / S_out. */
  multiplier?: Int32Array;
  /** Accumulator width the layer needs: 32, or 64 when the bound exceeds 2^31 − 1. */
  accBits: number;
  bounds: Bounds;
}

/**
 * Power-of-two scales: out = clamp(((a << la) + (b << lb) + round) >> shift, lo, hi);
 * real scales: out = clamp(round_half_up((a · ma + b · mb) / 2^shift), lo, hi), ma = S_a / S_out · 2^shift (31 bits).
 * Or the same for one operand (a lone Relu or Clip, a requantization to fewer bits).
 */
export interface AddLayer extends LayerBase {
  kind: 'add';
  la: number;
  lb: number;
  shift: number;
  /** Real scales: the operands' multipliers. */
  multipliers?: [number, number];
  bounds: Bounds;
}

export interface MaxPoolLayer extends LayerBase {
  kind: 'maxpool';
  pool: WindowGeo;
}

export interface HostLayer extends LayerBase {
  kind: 'host';
  node: Node;
  /** Why it is not an integer layer. */
  reason: string;
}

export type QLayer = GemmLayer | AddLayer | MaxPoolLayer | HostLayer;

export interface QGraph {
  name: string;
  /** The compiled fp32 graph the layers come from (BatchNormalization folded). */
  graph: Graph;
  params: ParamSource;
  layers: QLayer[];
  /** Format of every float activation tensor (other tensors host ops make stay as they are). */
  formats: Map<string, TensorFormat>;
  profile: IntegerProfile;
}

export interface QuantizeOptions {
  calibration: Feeds[];
  method: CalibrationMethod;
  /** Bits per compute node (by name); 8 for those it does not name. */
  bits?: ReadonlyMap<string, number>;
  profile?: IntegerProfile;
  progress?: (done: number, total: number) => void;
}

/** The exponent of the power-of-two scale that covers `clip` with codes up to `qmax`. */
function scaleExp(clip: number, qmax: number): number {
  return clip > 0 ? Math.ceil(Math.log2(clip / qmax) - 1e-12) : 0;
}

/** The code of x at a scale: round half to even, clamped to the range. */
export function quantizer(scale: number, r: Bounds): (x: number) => number {
  return (x) => Math.max(r.lo, Math.min(r.hi, roundHalfEven(x / scale)));
}

/** A tensor's format for a clip: the scale that reaches it with the largest code (under power-of-two scales, the smallest covering it). */
function formatFor(clip: number, bits: number, signed: boolean, scales: ScaleScheme): TensorFormat {
  const { lo, hi } = codeRange({ bits, signed });
  const qmax = Math.max(-lo, hi);
  if (scales === 'real') return { scale: clip > 0 ? clip / qmax : 1, bits, signed };
  const exp = scaleExp(clip, qmax);
  return { scale: 2 ** exp, exp, bits, signed };
}

/** Shape ops that only move codes: their output keeps the input's format. */
const MOVES: ReadonlySet<string> = new Set(['Flatten', 'Reshape', 'Identity', 'Dropout', 'Squeeze', 'Unsqueeze', 'Transpose', 'MaxPool']);

/** Bits each tensor is held at: those of the compute layers reading it, directly or through shape ops and max pooling (the largest); a graph output's `outputBits`; else 8. */
function activationBits(graph: Graph, bitsOf: (n: Node) => number, outputBits: number): Map<string, number> {
  const need = new Map<string, number>(graph.outputs.map((t) => [t, outputBits]));
  for (const node of [...graph.nodes].reverse()) {
    const through = COMPUTE_OPS.has(node.op) ? bitsOf(node) : MOVES.has(node.op) ? Math.max(...node.outputs.map((t) => need.get(t) ?? 8)) : 8;
    for (const t of node.inputs) if (t) need.set(t, Math.max(need.get(t) ?? 0, through));
  }
  return need;
}

/** Builds the integer graph: BatchNormalization folded, activations calibrated on `o.calibration`, supported ops matched. */
export function quantizeGraph(source: Graph, baseParams: ParamSource, o: QuantizeOptions): QGraph {
  const profile = o.profile ?? INTEGER_KERNELS;
  if (source.mode !== 'infer') throw new AccelmapError('unsupported', 'integer graphs are built from inference graphs', {}, 'drop --mode train');
  const compiled = compileGraph(source, { passes: ['simplify', 'bn-fold'] });
  // its own tensor table: requantized inputs (narrowInput) add tensors to it
  const graph = { ...compiled.graph, tensors: { ...compiled.graph.tensors } };
  const params = derivedParams(baseParams, compiled.derived, graph.tensors, source.tensors);
  if (!o.calibration.length) throw new AccelmapError('bad-input', 'no calibration inputs', {}, 'give at least one calibration set');
  const bitsOf = (n: Node) => o.bits?.get(n.name) ?? 8;
  const need = activationBits(graph, bitsOf, profile.outputBits);

  // Calibration: every activation's values over all calibration runs.
  const seen = new Map<string, Float32Array[]>();
  const note = (name: string, v: Value) => seen.set(name, [...(seen.get(name) ?? []), Float32Array.from(v.data)]);
  o.calibration.forEach((feeds, k) => {
    for (const name of graph.inputs) note(name, feeds[name]!);
    execute(graph, feeds, params, { observe: (node, outs) => node.outputs.forEach((t, i) => t && outs[i] && note(t, outs[i]!)), progress: (d, n) => o.progress?.(k * n + d, o.calibration.length * n) });
  });
  const formats = new Map<string, TensorFormat>();
  const readers = consumersOf(graph);
  const outputs = new Set(graph.outputs);
  const calibrated = (t: string): TensorFormat => {
    const chunks = seen.get(t) ?? [];
    const all = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
    chunks.reduce((at, c) => (all.set(c, at), at + c.length), 0);
    const bits = need.get(t) ?? 8;
    const signed = !profile.unsigned || all.some((v) => v < 0);
    const { lo, hi } = codeRange({ bits, signed });
    return formatFor(calibrate(all, o.method, Math.max(-lo, hi)), bits, signed, profile.scales);
  };
  // float32 inputs are quantized; others (token ids, masks) stay as they are, read by host layers
  for (const name of graph.inputs) if (graph.tensors[name]!.dtype === 'float32') formats.set(name, calibrated(name));
  const layers: QLayer[] = [];
  // A compute layer reading a tensor held at more bits than its own reads it requantized to its bits (a one-operand add layer, made once).
  const narrowed = (t: string, bits: number): string => {
    const from = formats.get(t)!;
    if (from.bits <= bits) return t;
    const name = `${t}@int${bits}`;
    if (!formats.has(name)) {
      graph.tensors[name] = { ...graph.tensors[t]!, name };
      seen.set(name, seen.get(t) ?? []);
      need.set(name, bits);
      const to = calibrated(name);
      formats.set(name, to);
      const layer = addLayer({ name, nodes: [], inputs: [t], output: name }, [from], to, codeRange(to), false);
      // a scale ratio of 2^31 between one tensor's two widths is out of reach of any calibration
      if (typeof layer === 'string') throw new Error(`integer graph: ${name}: ${layer}`);
      layers.push(layer);
    }
    return name;
  };
  const fusedActivation = new Set<number>();
  graph.nodes.forEach((node, i) => {
    if (fusedActivation.has(i) || node.outputs.every((t) => !t || graph.tensors[t]?.value !== undefined)) return;
    const out = node.outputs[0]!;
    const only = readers.get(out) ?? [];
    const reader = only.length === 1 ? graph.nodes[only[0]!]! : undefined;
    const fused = ['Conv', 'Gemm', 'MatMul', 'Add'].includes(node.op) && !outputs.has(out) && reader ? valueBounds(graph, reader) : undefined;
    const acts = node.inputs.filter((t) => t && formats.has(t));
    if (MOVES.has(node.op) && acts.length === 1 && node.outputs.filter(Boolean).length === 1) formats.set(out, formats.get(acts[0]!)!);
    else for (const t of node.outputs) if (t && graph.tensors[t]?.dtype === 'float32') formats.set(t, calibrated(t));
    const output = fused ? reader!.outputs[0]! : out;
    if (fused) formats.set(output, calibrated(output));
    const own = valueBounds(graph, node);
    const bounds = codeBounds(fused ?? (own && acts.length === 1 ? own : undefined), formats.get(output) ?? { scale: 1, exp: 0, bits: 8, signed: true });
    const inputs = COMPUTE_OPS.has(node.op) && acts.length ? [narrowed(acts[0]!, bitsOf(node)), ...acts.slice(1)] : acts;
    const base = { name: node.name, nodes: fused ? [node.name, reader!.name] : [node.name], inputs, output };
    const layer = matchLayer(graph, node, params, formats, base, bounds, bitsOf(node), profile);
    if (typeof layer === 'string') {
      layers.push({ kind: 'host', name: node.name, nodes: [node.name], inputs: acts, output: out, node, reason: layer });
      return;
    }
    layers.push(layer);
    if (fused) {
      // the Relu or Clip runs in the layer's requantization; the tensor before it is never formed
      fusedActivation.add(only[0]!);
      formats.delete(out);
    }
  });
  return { name: graph.name, graph, params, layers, formats, profile };
}

/** The value range a Relu or a Clip with constant bounds lets through; undefined for other nodes. */
function valueBounds(graph: Graph, node: Node): [number, number] | undefined {
  if (node.op === 'Relu') return [0, Infinity];
  if (node.op !== 'Clip') return undefined;
  const at = (i: number, none: number) => (node.inputs[i] ? graph.tensors[node.inputs[i]!]?.value?.[0] : none);
  const [lo, hi] = [at(1, -Infinity), at(2, Infinity)];
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

/** A value range as code bounds in a format (its whole range when there is none). */
function codeBounds(range: [number, number] | undefined, f: TensorFormat): Bounds {
  const whole = codeRange(f);
  if (!range) return whole;
  const code = quantizer(f.scale, whole);
  return { lo: range[0] === -Infinity ? whole.lo : code(range[0]), hi: range[1] === Infinity ? whole.hi : code(range[1]) };
}

/** The integer layer for a node, or why it stays on the host. */
function matchLayer(graph: Graph, node: Node, params: ParamSource, formats: Map<string, TensorFormat>, base: LayerBase, bounds: Bounds, bits: number, profile: IntegerProfile): QLayer | string {
  const fmt = (t: string) => formats.get(t)!;
  const stored = (t: string | undefined) => !!t && ['weight', 'constant'].includes(graph.tensors[t]?.kind ?? '');
  const gemm = (dims: { m: number; k: number; n: number; conv?: ConvGeo }, w: ArrayLike<number>, b: ArrayLike<number> | undefined) =>
    gemmLayer(base, dims, w, b, bits, fmt(base.inputs[0]!), fmt(base.output), bounds, profile);
  if (node.op === 'Conv') {
    const a = node.attrs as ConvAttrs;
    const x = graph.tensors[node.inputs[0]!]!;
    const w = graph.tensors[node.inputs[1]!]!;
    if (!formats.has(node.inputs[0]!) || !stored(node.inputs[1])) return 'the weight is not a stored tensor';
    const geo = convGeometry(x, w, a);
    if (geo.kernel.length !== 2) return `${geo.kernel.length}-D convolution (${profile.runner} take 2-D)`;
    if (geo.group !== 1 && !profile.grouped) return `grouped convolution (group ${geo.group}) is not lowered to the GEMM core`;
    const conv: ConvGeo = { n: geo.N, c: geo.C, h: geo.inSize[0]!, w: geo.inSize[1]!, k: geo.K, group: geo.group, kh: geo.kernel[0]!, kw: geo.kernel[1]!, sh: geo.strides[0]!, sw: geo.strides[1]!, dh: geo.dilations[0]!, dw: geo.dilations[1]!, padTop: geo.pads[0]!, padLeft: geo.pads[1]!, p: geo.outSize[0]!, q: geo.outSize[1]! };
    const k = (conv.c / conv.group) * conv.kh * conv.kw;
    return gemm({ m: conv.n * conv.p * conv.q, k, n: conv.k, conv }, params(w)!.data, node.inputs[2] ? params(graph.tensors[node.inputs[2]]!)!.data : undefined);
  }
  if (node.op === 'Gemm' || node.op === 'MatMul') {
    const x = graph.tensors[node.inputs[0]!]!;
    const w = graph.tensors[node.inputs[1]!]!;
    // a MatMul over leading axes is one GEMM of all their rows
    if (formats.has(node.inputs[1]!)) return 'a product of two activations (attention) has no integer layer here';
    if (!formats.has(node.inputs[0]!) || !stored(node.inputs[1]) || (node.op === 'Gemm' ? x.shape.length !== 2 : x.shape.length < 2) || w.shape.length !== 2) return 'only an input times a stored rank-2 weight is an integer layer';
    const transB = node.op === 'Gemm' && node.attrs.transB ? 1 : 0;
    if (node.op === 'Gemm' && (node.attrs.transA || node.attrs.alpha !== 1 || (node.inputs[2] && (node.attrs.beta !== 1 || graph.tensors[node.inputs[2]]!.shape.length !== 1 || !stored(node.inputs[2]))))) return 'Gemm with transA, alpha/beta ≠ 1 or a non-vector C';
    const [kk, nn] = transB ? [w.shape[1]!, w.shape[0]!] : [w.shape[0]!, w.shape[1]!];
    const wd = params(w)!.data;
    const wt = transB ? wd : Float32Array.from({ length: kk * nn }, (_, i) => wd[(i % kk) * nn + Math.floor(i / kk)]!);
    const bias = node.op === 'Gemm' && node.inputs[2] ? params(graph.tensors[node.inputs[2]]!)!.data : undefined;
    return gemm({ m: numel(x.shape) / kk, k: kk, n: nn }, wt, bias);
  }
  if (COMPUTE_OPS.has(node.op)) return `${node.op} has no integer layer in ${profile.runner}`;
  if (node.op === 'Add') {
    const [a, b] = node.inputs as [string, string];
    if (!formats.has(a) || !formats.has(b) || graph.tensors[a]!.shape.join() !== graph.tensors[b]!.shape.join()) return 'only an add of two activations of one shape is an integer layer';
    return addLayer(base, [fmt(a), fmt(b)], fmt(base.output), bounds);
  }
  if (valueBounds(graph, node) && base.inputs.length === 1) return addLayer(base, [fmt(base.inputs[0]!)], fmt(base.output), bounds);
  if (node.op === 'MaxPool') {
    const a = node.attrs as PoolAttrs;
    const x = graph.tensors[node.inputs[0]!]!;
    if (x.shape.length !== 4 || node.outputs.filter(Boolean).length > 1 || base.inputs.length !== 1) return 'only a 2-D max pool without indices is an integer layer';
    const dil = a.dilations.length ? a.dilations : [1, 1];
    const strides = a.strides.length ? a.strides : [1, 1];
    const g = slidingWindow(x.shape.slice(2), { kernel: a.kernel_shape, strides, dilations: dil, pads: a.pads, autoPad: a.auto_pad, ceilMode: a.ceil_mode === 1 });
    const [n, c, h, w] = x.shape as [number, number, number, number];
    return { kind: 'maxpool', ...base, pool: { n, c, h, w, kh: a.kernel_shape[0]!, kw: a.kernel_shape[1]!, sh: strides[0]!, sw: strides[1]!, dh: dil[0]!, dw: dil[1]!, padTop: g.pads[0]!, padLeft: g.pads[1]!, p: g.outSize[0]!, q: g.outSize[1]! } };
  }
  return profile.hostReason(node.op);
}

/** An add of one or two operands into `out`: by shifts under power-of-two scales (within 16-bit shifts where `limitShifts`), by fixed-point multipliers under real ones. */
function addLayer(base: LayerBase, ins: TensorFormat[], out: TensorFormat, bounds: Bounds, limitShifts = true): AddLayer | string {
  if (out.exp === undefined) {
    // a common shift that gives the larger ratio S_in / S_out a 31-bit multiplier; the other, fewer bits
    const fp = fixedPointMultiplier(Math.max(...ins.map((f) => f.scale)) / out.scale);
    if (!fp) return 'an operand\'s scale is 2^31 times the output\'s or more';
    const [ma, mb] = [0, 1].map((i) => (ins[i] ? Math.round((ins[i]!.scale / out.scale) * 2 ** fp.n) : 0)) as [number, number];
    return { kind: 'add', ...base, la: 0, lb: 0, shift: fp.n, multipliers: [ma, mb], bounds };
  }
  const exps = ins.map((f) => f.exp!);
  const lo = Math.min(...exps);
  const shift = out.exp - lo;
  if (limitShifts && (exps.some((e) => e - lo > 15) || shift > 15 || shift < -15)) return 'the scales differ by more than 16-bit shifts';
  return { kind: 'add', ...base, la: exps[0]! - lo, lb: (exps[1] ?? lo) - lo, shift, bounds };
}

/** Largest |w| of a weight channel. */
function channelMax(w: ArrayLike<number>, at: number, k: number): number {
  let max = 0;
  for (let j = 0; j < k; j++) max = Math.max(max, Math.abs(w[at + j]!));
  return max;
}

/** A channel's weight codes: its scale (weight = code · scale), the code of each weight, and whether the codes are SAWB's odd ones. */
interface WeightGrid {
  scale: number;
  code: (w: number) => number;
  odd: boolean;
}

/** The range of a GEMM's weight codes: ±(2^(bits−1) − 1) with a zero, or SAWB's odd codes ±1, ±3, …, ±(2^bits − 1). */
export function weightCodes(l: { bits: number; oddWeights: boolean }): Bounds {
  const hi = l.oddWeights ? 2 ** l.bits - 1 : 2 ** (l.bits - 1) - 1;
  return { lo: -hi, hi };
}

/**
 * A weight channel's grid. Real scales at 8 bits: max |w| / 127, codes ±127 with a zero. Real scales below 8: SAWB's,
 * the grid `quantize` uses: 2^b levels at odd multiples of half a step Δ with the outermost at the clip α* (here at most
 * max |w|), as odd codes ±1, ±3, …, ±(2^b − 1) at scale Δ/2 = α* / (2^b − 1); a channel whose α* is not positive has
 * all codes 0, as `quantize` zeroes it. Power-of-two scales: codes ±(2^(b−1) − 1) with a zero, the exponent from
 * max |w| at 8 bits; below, the least squared error of the one from the max and the three below it.
 */
function weightGrid(w: ArrayLike<number>, at: number, k: number, bits: number, scales: ScaleScheme): WeightGrid {
  const qmax = 2 ** (bits - 1) - 1;
  const max = channelMax(w, at, k);
  const zeroGrid = (scale: number): WeightGrid => ({ scale, code: quantizer(scale, { lo: -qmax, hi: qmax }), odd: false });
  if (scales === 'real') {
    if (bits >= 8) return zeroGrid(max > 0 ? max / qmax : 1);
    const clip = max > 0 ? Math.min(max, sawbAlpha(Array.prototype.slice.call(w, at, at + k) as number[], bits)) : 0;
    if (!(clip > 0)) return { scale: 1, code: () => 0, odd: true };
    const scale = clip / weightCodes({ bits, oddWeights: true }).hi;
    const half = 2 ** (bits - 1);
    // level i of the mid-rise quantizer (floor of w / Δ, clamped to [−2^(b−1), 2^(b−1) − 1]) is the odd code 2i + 1
    return { scale, code: (x) => 2 * Math.min(half - 1, Math.max(-half, Math.floor(x / (2 * scale)))) + 1, odd: true };
  }
  const top = scaleExp(max, qmax);
  if (bits >= 8) return zeroGrid(2 ** top);
  let best = top;
  let bestErr = Infinity;
  for (let e = top; e > top - 4; e--) {
    const [inv, step] = [2 ** -e, 2 ** e];
    let err = 0;
    for (let j = 0; j < k; j++) {
      const x = w[at + j]!;
      err += (x - Math.max(-qmax, Math.min(qmax, roundHalfEven(x * inv))) * step) ** 2;
    }
    if (err < bestErr) [best, bestErr] = [e, err];
  }
  return zeroGrid(2 ** best);
}

/** Quantizes a GEMM's weights per output channel, derives its bias and requantization (shifts, or multipliers and shifts), and sizes its accumulator. */
function gemmLayer(base: LayerBase, dims: { m: number; k: number; n: number; conv?: ConvGeo }, w: ArrayLike<number>, b: ArrayLike<number> | undefined, bits: number, input: TensorFormat, output: TensorFormat, bounds: Bounds, profile: IntegerProfile): GemmLayer | string {
  const { k, n } = dims;
  const weight = new Int8Array(n * k);
  const weightScales = new Float64Array(n);
  const bias = new Int32Array(n);
  const shift = new Int32Array(n);
  const real = profile.scales === 'real';
  const multiplier = real ? new Int32Array(n) : undefined;
  let maxBias = 0;
  let oddWeights = false;
  for (let c = 0; c < n; c++) {
    const grid = weightGrid(w, c * k, k, bits, profile.scales);
    const ws = grid.scale;
    weightScales[c] = ws;
    oddWeights = grid.odd;
    for (let j = 0; j < k; j++) weight[c * k + j] = grid.code(w[c * k + j]!);
    const bq = b ? roundHalfEven(b[c]! / (input.scale * ws)) : 0;
    let half = 0;
    if (multiplier) {
      const fp = fixedPointMultiplier((input.scale * ws) / output.scale);
      if (!fp) return `channel ${c}'s requantization multiplier S_in · S_w / S_out is not in (0, 2^31)`;
      [multiplier[c], shift[c]] = [fp.m0, fp.n];
    } else {
      const s = Math.min(31, output.exp! - input.exp! - Math.round(Math.log2(ws)));
      shift[c] = s;
      half = s > 0 ? 2 ** (s - 1) : 0;
    }
    bias[c] = (bq + half) | 0;
    maxBias = Math.max(maxBias, Math.abs(bq) + half);
  }
  const r = codeRange(input);
  // a negative shift (power-of-two scales, the output's finer than the accumulator's) multiplies in the accumulator
  const bound = (k * Math.max(-r.lo, r.hi) * weightCodes({ bits, oddWeights }).hi + maxBias) * (real ? 1 : 2 ** Math.max(0, -Math.min(...shift)));
  const accBits = bound <= 2 ** 31 - 1 ? 32 : 64;
  if (maxBias > 2 ** 31 - 1) return 'the bias does not fit 32 bits at the accumulator\'s scale';
  if (real && bound >= MAX_ACC) return `the accumulator can reach ${bound.toExponential(2)}, past the 2^37 the fixed-point requantization is exact for`;
  if (bound > 2 ** 53 || accBits > profile.maxAccBits) return `the accumulator can reach ${bound.toExponential(2)}, past ${profile.maxAccBits}-bit`;
  return { kind: 'gemm', ...base, ...dims, bits, weight, oddWeights, weightScales, bias, shift, ...(multiplier ? { multiplier } : {}), accBits, bounds };
}
