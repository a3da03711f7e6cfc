import { AccelmapError } from '../../util/errors.js';
import { isFloat } from '../dtype.js';
import { numel, type Attrs } from '../graph.js';
import type { GradContext } from '../op.js';
import { sliceRanges } from '../ops/movement.js';

/**
 * Gradient rules, one per forward op kind: given the gradients of a node's
 * outputs, emit the nodes computing the gradients of the inputs that need
 * one, and return their names ('' for the others). A rule reads from the
 * forward pass only what its derivative needs; whatever it reads is what
 * training must keep (train/saved.ts marks it).
 *
 * The rules live here, in one table, rather than in the op files: the op
 * files hold each op's forward semantics (shared with the ONNX importer),
 * while gradients are a property of training; keeping them together makes
 * the whole backward pass reviewable in one place. An op kind may still
 * carry its own `backward`, which takes precedence (see train/index.ts).
 */
export type GradRule = (ctx: GradContext, attrs: Attrs) => string[];

const shapeOfIn = (ctx: GradContext, i: number): number[] => ctx.inputs[i]!.shape;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Computes the gradient of input i only when it needs one. */
function only(ctx: GradContext, fns: ((() => string) | undefined)[]): string[] {
  return ctx.node.inputs.map((_, i) => (ctx.needsGrad[i] && fns[i] ? fns[i]!() : ''));
}

function one(ctx: GradContext, op: string, inputs: string[], attrs: Attrs = {}): string {
  return ctx.emit(op, inputs, attrs)[0]!;
}

/** A view of `x` with another shape (free: no bytes move). */
function view(ctx: GradContext, x: string, from: readonly number[], to: number[]): string {
  return sameShape(from, to) ? x : one(ctx, 'Reshape', [x, ctx.constant(to)]);
}

/** Sums a gradient of shape `from` down to the (numpy-broadcast) shape `to`. */
function reduceTo(ctx: GradContext, g: string, from: readonly number[], to: number[]): string {
  return sameShape(from, to) ? g : one(ctx, 'SumToShape', [g], { shape: to });
}

const outGrad = (ctx: GradContext): string => {
  const g = ctx.outputGrads[0];
  if (!g) throw new Error(`${ctx.node.name}: rule called without an output gradient`);
  return g;
};

// ---------------------------------------------------------------- element-wise

/** Which forward tensor each element-wise derivative reads: the op's input or its output. */
const SAVES: Record<string, 'input' | 'output'> = {
  Relu: 'output', LeakyRelu: 'input', ThresholdedRelu: 'input', Elu: 'input', Selu: 'input', Celu: 'input',
  Sigmoid: 'output', HardSigmoid: 'input', HardSwish: 'input', Tanh: 'output', Gelu: 'input', Softplus: 'input',
  Softsign: 'input', Mish: 'input', Swish: 'input', Erf: 'input', Exp: 'output', Log: 'input', Sqrt: 'output',
  Reciprocal: 'output', Abs: 'input', Sin: 'input', Cos: 'input', Clip: 'input', Softmax: 'output', LogSoftmax: 'output',
};

const elementwise: GradRule = (ctx) => {
  const saved = SAVES[ctx.node.op] === 'output' ? ctx.node.outputs[0]! : ctx.node.inputs[0]!;
  return only(ctx, [() => one(ctx, 'ElementwiseGrad', [outGrad(ctx), saved], { of: ctx.node.op })]);
};

const identity: GradRule = (ctx) => only(ctx, [() => outGrad(ctx)]);

/** Binary arithmetic with broadcasting: each operand's gradient is reduced to its shape. */
const add: GradRule = (ctx) => {
  const dy = outGrad(ctx), out = ctx.outputs[0]!.shape;
  return only(ctx, ctx.node.inputs.map((_, i) => () => reduceTo(ctx, dy, out, shapeOfIn(ctx, i))));
};

const sub: GradRule = (ctx) => {
  const dy = outGrad(ctx), out = ctx.outputs[0]!.shape;
  return only(ctx, [() => reduceTo(ctx, dy, out, shapeOfIn(ctx, 0)), () => one(ctx, 'Neg', [reduceTo(ctx, dy, out, shapeOfIn(ctx, 1))])]);
};

const mul: GradRule = (ctx) => {
  const dy = outGrad(ctx), out = ctx.outputs[0]!.shape;
  const [a, b] = ctx.node.inputs as [string, string];
  return only(ctx, [() => reduceTo(ctx, one(ctx, 'Mul', [dy, b]), out, shapeOfIn(ctx, 0)), () => reduceTo(ctx, one(ctx, 'Mul', [dy, a]), out, shapeOfIn(ctx, 1))]);
};

/** Y = A / B: dA = dY / B, dB = −dY · Y / B. */
const div: GradRule = (ctx) => {
  const dy = outGrad(ctx), out = ctx.outputs[0]!.shape;
  const b = ctx.node.inputs[1]!, y = ctx.node.outputs[0]!;
  return only(ctx, [
    () => reduceTo(ctx, one(ctx, 'Div', [dy, b]), out, shapeOfIn(ctx, 0)),
    () => reduceTo(ctx, one(ctx, 'Neg', [one(ctx, 'Div', [one(ctx, 'Mul', [dy, y]), b])]), out, shapeOfIn(ctx, 1)),
  ]);
};

const mean: GradRule = (ctx) => {
  const out = ctx.outputs[0]!.shape;
  const scaled = one(ctx, 'Mul', [outGrad(ctx), ctx.constant([1 / ctx.node.inputs.filter(Boolean).length], [])]);
  return only(ctx, ctx.node.inputs.map((_, i) => () => reduceTo(ctx, scaled, out, shapeOfIn(ctx, i))));
};

/** Where(c, X, Y): the gradient goes to X where c holds, to Y elsewhere. */
const where: GradRule = (ctx) => {
  const dy = outGrad(ctx), out = ctx.outputs[0]!.shape;
  const c = ctx.node.inputs[0]!;
  const zero = ctx.constant([0], []);
  return only(ctx, [undefined, () => reduceTo(ctx, one(ctx, 'Where', [c, dy, zero]), out, shapeOfIn(ctx, 1)), () => reduceTo(ctx, one(ctx, 'Where', [c, zero, dy]), out, shapeOfIn(ctx, 2))]);
};

const cast: GradRule = (ctx) => {
  const from = ctx.inputs[0]!.dtype;
  if (!isFloat(from)) return ctx.node.inputs.map(() => '');
  return only(ctx, [() => one(ctx, 'Cast', [outGrad(ctx)], { to: from })]);
};

const dropout: GradRule = (ctx) => {
  const mask = ctx.node.outputs[1];
  if (!mask) throw new Error(`${ctx.node.name}: Dropout in training form has no mask output`);
  return only(ctx, [() => one(ctx, 'ElementwiseGrad', [outGrad(ctx), mask], { of: 'Dropout' })]);
};

const lrn: GradRule = (ctx, a) => only(ctx, [() => one(ctx, 'ElementwiseGrad', [outGrad(ctx), ctx.node.inputs[0]!, ctx.node.outputs[0]!], { of: 'LRN', size: a.size as number })]);

// ---------------------------------------------------------------- views and data movement

const reshapeBack: GradRule = (ctx) => only(ctx, [() => view(ctx, outGrad(ctx), ctx.outputs[0]!.shape, shapeOfIn(ctx, 0))]);

const transpose: GradRule = (ctx, a) => {
  const perm = a.perm as number[];
  const rank = shapeOfIn(ctx, 0).length;
  const inverse: number[] = [];
  perm.forEach((p, i) => (inverse[(p + rank) % rank] = i));
  return only(ctx, [() => one(ctx, 'Transpose', [outGrad(ctx)], { perm: inverse })]);
};

const concat: GradRule = (ctx, a) => {
  const rank = ctx.outputs[0]!.shape.length;
  const axis = ((a.axis as number) + rank) % rank;
  const present = ctx.node.inputs.map((n, i) => (n ? i : -1)).filter((i) => i >= 0);
  const sizes = present.map((i) => shapeOfIn(ctx, i)[axis]!);
  let parts: string[] | undefined;
  const part = (i: number) => {
    parts ??= ctx.emit('Split', [outGrad(ctx), ctx.constant(sizes)], { axis, num_outputs: sizes.length }, sizes.length);
    return parts[present.indexOf(i)]!;
  };
  return only(ctx, ctx.node.inputs.map((_, i) => () => part(i)));
};

const split: GradRule = (ctx, a) => {
  const grads = ctx.outputGrads.map((g, i) => g || ctx.zeros(ctx.outputs[i]!));
  return only(ctx, [() => one(ctx, 'Concat', grads, { axis: a.axis as number })]);
};

const slice: GradRule = (ctx) => {
  const shape = shapeOfIn(ctx, 0);
  const value = (i: number) => ctx.inputs[i]?.value;
  const { begin, step, count } = sliceRanges(shape, value(1)!, value(2)!, value(3), value(4));
  if (step.some((s) => s !== 1)) throw new AccelmapError('unsupported', `the gradient of a Slice with steps other than 1 is not modeled`, { path: `node ${ctx.node.name}` });
  const pads = [...begin, ...shape.map((d, i) => d - begin[i]! - count[i]!)];
  return only(ctx, [() => one(ctx, 'Pad', [outGrad(ctx), ctx.constant(pads)])]);
};

const pad: GradRule = (ctx) => {
  const shape = shapeOfIn(ctx, 0);
  const pads = ctx.inputs[1]!.value!;
  const axes = ctx.inputs[3]?.value?.map((x) => (x + shape.length) % shape.length) ?? shape.map((_, i) => i);
  if (pads.some((p) => p < 0)) throw new AccelmapError('unsupported', 'the gradient of a Pad with negative pads is not modeled', { path: `node ${ctx.node.name}` });
  const starts = axes.map((_, i) => pads[i]!);
  const ends = axes.map((ax, i) => pads[i]! + shape[ax]!);
  return only(ctx, [() => one(ctx, 'Slice', [outGrad(ctx), ctx.constant(starts), ctx.constant(ends), ctx.constant(axes)])]);
};

const gather: GradRule = (ctx, a) => only(ctx, [() => one(ctx, 'GatherGrad', [outGrad(ctx), ctx.node.inputs[1]!], { axis: a.axis as number, shape: shapeOfIn(ctx, 0) })]);

const embedding: GradRule = (ctx) => only(ctx, [undefined, () => one(ctx, 'GatherGrad', [outGrad(ctx), ctx.node.inputs[0]!], { axis: 0, shape: shapeOfIn(ctx, 1) })]);

// ---------------------------------------------------------------- compute ops

function convBiasGrad(ctx: GradContext, dy: string): string {
  const out = ctx.outputs[0]!.shape;
  const k = out[1]!;
  const kept = out.map((_, i) => (i === 1 ? k : 1));
  return view(ctx, reduceTo(ctx, dy, out, kept), kept, [k]);
}

function convAttrsOf(a: Attrs): Attrs {
  const { kernel_shape, strides, pads, dilations, group, auto_pad } = a;
  return { kernel_shape, strides, pads, dilations, group, auto_pad } as Attrs;
}

/** Conv: dX by ConvGradInput, dW by ConvGradWeight (each the forward MACs), the bias by a sum. */
const conv: GradRule = (ctx, a) => {
  const dy = outGrad(ctx);
  const [x, w] = ctx.node.inputs as [string, string];
  const ca = convAttrsOf(a);
  return only(ctx, [
    () => one(ctx, 'ConvGradInput', [dy, w], { ...ca, input_shape: shapeOfIn(ctx, 0) }),
    () => one(ctx, 'ConvGradWeight', [x, dy], { ...ca, weight_shape: shapeOfIn(ctx, 1) }),
    () => convBiasGrad(ctx, dy),
  ]);
};

/**
 * ConvTranspose computes the input gradient of a convolution, so its own
 * input gradient is that convolution run forward on dY, and its weight
 * gradient is that convolution's weight gradient with dY as the input.
 */
const convTranspose: GradRule = (ctx, a) => {
  const dy = outGrad(ctx);
  const [x, w] = ctx.node.inputs as [string, string];
  const ca = convAttrsOf(a);
  return only(ctx, [
    () => one(ctx, 'Conv', [dy, w], ca),
    () => one(ctx, 'ConvGradWeight', [dy, x], { ...ca, weight_shape: shapeOfIn(ctx, 1) }),
    () => convBiasGrad(ctx, dy),
  ]);
};

/**
 * Gemm: Y = α·A′·B′ + β·C. dA′ = dY·B′ᵀ and dB′ = A′ᵀ·dY, each written as a
 * Gemm with transpose flags so that no data moves; the scale factors are
 * not modeled (one multiplication per element).
 */
const gemm: GradRule = (ctx, a) => {
  const dy = outGrad(ctx);
  const [A, B] = ctx.node.inputs as [string, string];
  const tA = a.transA as number, tB = a.transB as number;
  return only(ctx, [
    () => (tA ? one(ctx, 'Gemm', [B, dy], { transA: tB, transB: 1 }) : one(ctx, 'Gemm', [dy, B], { transA: 0, transB: 1 - tB })),
    () => (tB ? one(ctx, 'Gemm', [dy, A], { transA: 1, transB: tA }) : one(ctx, 'Gemm', [A, dy], { transA: 1 - tA, transB: 0 })),
    () => reduceTo(ctx, dy, ctx.outputs[0]!.shape, shapeOfIn(ctx, 2)),
  ]);
};

/**
 * MatMul with numpy semantics. dA = dY·Bᵀ and dB = Aᵀ·dY as
 * TransposedMatMuls; an operand shared across a batch gets the batch summed
 * — for a 2-D right operand (a linear layer over tokens) by viewing the
 * batch as rows, so the sum is inside one product.
 */
const matmul: GradRule = (ctx) => {
  const [A, B] = ctx.node.inputs as [string, string];
  const aShape = shapeOfIn(ctx, 0), bShape = shapeOfIn(ctx, 1);
  // 1-D operands: view as matrices, and the output gradient with the dropped axis restored
  const a2 = aShape.length === 1 ? [1, aShape[0]!] : aShape;
  const b2 = bShape.length === 1 ? [bShape[0]!, 1] : bShape;
  const out = ctx.outputs[0]!.shape;
  const out2 = [...out];
  if (aShape.length === 1) out2.splice(out2.length - (bShape.length === 1 ? 0 : 1), 0, 1);
  if (bShape.length === 1) out2.push(1);
  const dy = view(ctx, outGrad(ctx), out, out2);
  const av = view(ctx, A, aShape, a2), bv = view(ctx, B, bShape, b2);
  const gradA = () => {
    const full = one(ctx, 'TransposedMatMul', [dy, bv], { transB: 1 });
    const fullShape = [...out2.slice(0, -2), a2.at(-2)!, a2.at(-1)!];
    return view(ctx, reduceTo(ctx, full, fullShape, a2), a2, aShape);
  };
  const gradB = () => {
    if (b2.length === 2 && out2.length > 2) {
      const rows = numel(out2.slice(0, -1));
      const aRows = view(ctx, av, a2, [rows, a2.at(-1)!]);
      const dyRows = view(ctx, dy, out2, [rows, out2.at(-1)!]);
      return view(ctx, one(ctx, 'TransposedMatMul', [aRows, dyRows], { transA: 1 }), b2, bShape);
    }
    const full = one(ctx, 'TransposedMatMul', [av, dy], { transA: 1 });
    const fullShape = [...out2.slice(0, -2), b2.at(-2)!, b2.at(-1)!];
    return view(ctx, reduceTo(ctx, full, fullShape, b2), b2, bShape);
  };
  return only(ctx, [gradA, gradB]);
};

/** Recurrent ops: backpropagation through time from the saved inputs, hidden states and gate reserve. */
const recurrent: GradRule = (ctx, a) => {
  const op = ctx.node.op;
  const reserveAt = op === 'LSTM' ? 3 : op === 'GRU' ? 2 : -1;
  const notModeled = [5, 6, 7].filter((i) => ctx.needsGrad[i]);
  if (notModeled.length) {
    throw new AccelmapError('unsupported', `gradients into ${op} initial states or peepholes are not modeled`, { path: `node ${ctx.node.name}` }, 'start recurrent layers from zero state');
  }
  // Gradients flowing only into the last states cost the same backward pass as one into every step.
  const dy = ctx.outputGrads[0] || ctx.zeros(ctx.outputs[0]!);
  const [x, w, r] = ctx.node.inputs as [string, string, string];
  const saved = [ctx.node.outputs[0]!, ...(reserveAt > 0 ? [ctx.node.outputs[reserveAt]!] : [])];
  let outs: string[] | undefined;
  const grad = (k: number) => () => (outs ??= ctx.emit('RecurrentGrad', [dy, x, w, r, ...saved], { of: op, direction: a.direction as string, layout: a.layout as number, hidden_size: a.hidden_size as number }, 4))[k]!;
  return only(ctx, [grad(0), grad(1), grad(2), grad(3)]);
};

// ---------------------------------------------------------------- normalization and pooling

/** Normalizations: one NormalizationGrad from X, the scale and the statistics the training forward pass saved. */
function normalization(statsOutputs: number[]): GradRule {
  return (ctx) => {
    const [x, scale] = ctx.node.inputs as [string, string];
    const stats = statsOutputs.map((i) => ctx.node.outputs[i]!);
    let outs: string[] | undefined;
    const grad = (k: number) => () => (outs ??= ctx.emit('NormalizationGrad', [outGrad(ctx), x, scale, ...stats], { of: ctx.node.op }, 3))[k]!;
    return only(ctx, [grad(0), grad(1), grad(2)]);
  };
}

const pool: GradRule = (ctx, a) => {
  const op = ctx.node.op;
  const reads = op === 'AveragePool' || op === 'GlobalAveragePool' ? [] : [ctx.node.inputs[0]!, ctx.node.outputs[0]!];
  const { kernel_shape, strides, pads, dilations, ceil_mode, auto_pad } = a;
  const windowAttrs: Attrs = op.startsWith('Global') ? {} : ({ kernel_shape, strides, pads, dilations, ceil_mode, auto_pad } as Attrs);
  return only(ctx, [() => one(ctx, 'PoolGrad', [outGrad(ctx), ...reads], { of: op, ...windowAttrs, input_shape: shapeOfIn(ctx, 0) })]);
};

// ---------------------------------------------------------------- losses

const softmaxCrossEntropy: GradRule = (ctx, a) => only(ctx, [() => one(ctx, 'SoftmaxCrossEntropyLossGrad', [outGrad(ctx), ctx.node.outputs[1]!, ctx.node.inputs[1]!], { reduction: a.reduction as string, ...(a.ignore_index !== undefined ? { ignore_index: a.ignore_index } : {}) })]);

const mse: GradRule = (ctx, a) => only(ctx, [() => one(ctx, 'MSELossGrad', [outGrad(ctx), ctx.node.inputs[0]!, ctx.node.inputs[1]!], { reduction: a.reduction as string, ...(a.ignore_index !== undefined ? { ignore_index: a.ignore_index } : {}) })]);

export const RULES: Readonly<Record<string, GradRule>> = {
  ...Object.fromEntries(Object.keys(SAVES).map((op) => [op, elementwise])),
  Identity: identity,
  Neg: (ctx) => only(ctx, [() => one(ctx, 'Neg', [outGrad(ctx)])]),
  Add: add,
  Sum: add,
  Sub: sub,
  Mul: mul,
  Div: div,
  Mean: mean,
  Where: where,
  Cast: cast,
  Dropout: dropout,
  LRN: lrn,
  Reshape: reshapeBack,
  Flatten: reshapeBack,
  Squeeze: reshapeBack,
  Unsqueeze: reshapeBack,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Slice: slice,
  Pad: pad,
  Gather: gather,
  Embedding: embedding,
  Conv: conv,
  ConvTranspose: convTranspose,
  Gemm: gemm,
  MatMul: matmul,
  LSTM: recurrent,
  GRU: recurrent,
  RNN: recurrent,
  BatchNormalization: normalization([1, 2]),
  LayerNormalization: normalization([1, 2]),
  InstanceNormalization: normalization([]),
  GroupNormalization: normalization([]),
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: pool,
  GlobalMaxPool: pool,
  GlobalLpPool: pool,
  SoftmaxCrossEntropyLoss: softmaxCrossEntropy,
  MSELoss: mse,
};

