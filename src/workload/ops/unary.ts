import { numel, type Attrs, type TensorType } from '../graph.js';
import { defineOp, floatAttr, req, stringAttr, type OpClass, type OpKind } from '../op.js';
import { foldable } from '../shape.js';
import { isInteger } from '../dtype.js';

/**
 * Element-wise unary ops: one output of the input's shape and type.
 * FLOP convention: each +, −, ×, ÷, max, min or comparison counts 1, and so
 * does each transcendental (exp, log, tanh, erf, sqrt); the per-element count
 * of each op is in the table below.
 */
export interface UnarySpec {
  op: string;
  flopsPerElement: number;
  opClass?: OpClass;
  /** Float attributes with defaults (e.g. LeakyRelu alpha). */
  params?: Record<string, number>;
  /** Value function for constant folding. */
  fn?: (x: number, p: Record<string, number>) => number;
}

const erf = (x: number): number => {
  // Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), enough for folding constants
  const s = Math.sign(x), a = Math.abs(x), t = 1 / (1 + 0.3275911 * a);
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
};

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export const UNARY_SPECS: UnarySpec[] = [
  { op: 'Relu', flopsPerElement: 1, opClass: 'activation', fn: (x) => Math.max(x, 0) },
  { op: 'LeakyRelu', flopsPerElement: 2, opClass: 'activation', params: { alpha: 0.01 }, fn: (x, p) => (x >= 0 ? x : p.alpha! * x) },
  { op: 'Elu', flopsPerElement: 3, opClass: 'activation', params: { alpha: 1 }, fn: (x, p) => (x >= 0 ? x : p.alpha! * (Math.exp(x) - 1)) },
  { op: 'Selu', flopsPerElement: 4, opClass: 'activation', params: { alpha: 1.67326319217681884765625, gamma: 1.05070102214813232421875 }, fn: (x, p) => p.gamma! * (x > 0 ? x : p.alpha! * (Math.exp(x) - 1)) },
  { op: 'Celu', flopsPerElement: 4, opClass: 'activation', params: { alpha: 1 }, fn: (x, p) => Math.max(0, x) + Math.min(0, p.alpha! * (Math.exp(x / p.alpha!) - 1)) },
  { op: 'ThresholdedRelu', flopsPerElement: 1, opClass: 'activation', params: { alpha: 1 }, fn: (x, p) => (x > p.alpha! ? x : 0) },
  { op: 'Sigmoid', flopsPerElement: 4, opClass: 'activation', fn: sigmoid },
  { op: 'HardSigmoid', flopsPerElement: 4, opClass: 'activation', params: { alpha: 0.2, beta: 0.5 }, fn: (x, p) => Math.max(0, Math.min(1, p.alpha! * x + p.beta!)) },
  { op: 'HardSwish', flopsPerElement: 5, opClass: 'activation', fn: (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)) },
  { op: 'Tanh', flopsPerElement: 1, opClass: 'activation', fn: Math.tanh },
  { op: 'Gelu', flopsPerElement: 5, opClass: 'activation', fn: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)) },
  { op: 'Softplus', flopsPerElement: 3, opClass: 'activation', fn: (x) => Math.log(1 + Math.exp(x)) },
  { op: 'Softsign', flopsPerElement: 3, opClass: 'activation', fn: (x) => x / (1 + Math.abs(x)) },
  { op: 'Mish', flopsPerElement: 5, opClass: 'activation', fn: (x) => x * Math.tanh(Math.log(1 + Math.exp(x))) },
  { op: 'Swish', flopsPerElement: 5, opClass: 'activation', fn: (x) => x * sigmoid(x) },
  { op: 'Erf', flopsPerElement: 1, fn: erf },
  { op: 'Exp', flopsPerElement: 1, fn: Math.exp },
  { op: 'Log', flopsPerElement: 1, fn: Math.log },
  { op: 'Sqrt', flopsPerElement: 1, fn: Math.sqrt },
  { op: 'Reciprocal', flopsPerElement: 1, fn: (x) => 1 / x },
  { op: 'Neg', flopsPerElement: 1, fn: (x) => -x },
  { op: 'Abs', flopsPerElement: 1, fn: Math.abs },
  { op: 'Sign', flopsPerElement: 1, fn: Math.sign },
  { op: 'Ceil', flopsPerElement: 1, fn: Math.ceil },
  { op: 'Floor', flopsPerElement: 1, fn: Math.floor },
  { op: 'Round', flopsPerElement: 1, fn: (x) => { const r = Math.round(x); return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r; } },
  { op: 'Sin', flopsPerElement: 1, fn: Math.sin },
  { op: 'Cos', flopsPerElement: 1, fn: Math.cos },
  { op: 'Tan', flopsPerElement: 1, fn: Math.tan },
  { op: 'Asin', flopsPerElement: 1, fn: Math.asin },
  { op: 'Acos', flopsPerElement: 1, fn: Math.acos },
  { op: 'Atan', flopsPerElement: 1, fn: Math.atan },
  { op: 'Sinh', flopsPerElement: 1, fn: Math.sinh },
  { op: 'Cosh', flopsPerElement: 1, fn: Math.cosh },
  { op: 'Asinh', flopsPerElement: 1, fn: Math.asinh },
  { op: 'Acosh', flopsPerElement: 1, fn: Math.acosh },
  { op: 'Atanh', flopsPerElement: 1, fn: Math.atanh },
  { op: 'Not', flopsPerElement: 1, fn: (x) => (x ? 0 : 1) },
  { op: 'BitwiseNot', flopsPerElement: 1, fn: (x) => ~x },
  { op: 'IsNaN', flopsPerElement: 1, fn: (x) => (Number.isNaN(x) ? 1 : 0) },
  { op: 'IsInf', flopsPerElement: 1, params: { detect_positive: 1, detect_negative: 1 } },
  { op: 'Shrink', flopsPerElement: 2, params: { lambd: 0.5, bias: 0 }, fn: (x, p) => (x < -p.lambd! ? x + p.bias! : x > p.lambd! ? x - p.bias! : 0) },
];

function unary(spec: UnarySpec): OpKind {
  const paramNames = Object.keys(spec.params ?? {});
  return defineOp<Attrs>({
    op: spec.op,
    opClass: spec.opClass ?? 'elementwise',
    flopConvention: `${spec.flopsPerElement} FLOP${spec.flopsPerElement === 1 ? '' : 's'} per element`,
    attrs(raw) {
      const a: Attrs = {};
      for (const n of paramNames) a[n] = floatAttr(raw, n, spec.params![n]);
      if (spec.op === 'Gelu') a.approximate = stringAttr(raw, 'approximate', 'none');
      return a;
    },
    infer(inputs, a) {
      const x = req(inputs, 0, 'X');
      const outDtype = ['Not', 'IsNaN', 'IsInf'].includes(spec.op) ? 'bool' : x.dtype;
      const out: TensorType = { shape: [...x.shape], dtype: outDtype };
      if (spec.fn && x.value && foldable(x.shape)) {
        const p = a as Record<string, number>;
        const v = x.value.map((e) => spec.fn!(e, p));
        out.value = isInteger(x.dtype) ? v.map(Math.trunc) : v;
      }
      return [out];
    },
    counts(_inputs, outputs, a) {
      const n = numel(outputs[0]!.shape);
      // the tanh form of Gelu costs more than the erf form
      const per = spec.op === 'Gelu' && a.approximate === 'tanh' ? 8 : spec.flopsPerElement;
      return { macs: 0, otherFlops: per * n };
    },
  });
}

export const UNARY_OPS: OpKind[] = UNARY_SPECS.map(unary);

/** Identity: a view; moves no bytes. */
export const Identity = defineOp({
  op: 'Identity',
  opClass: 'data-movement',
  flopConvention: 'a view: no FLOPs, no bytes',
  attrs: () => ({}),
  infer(inputs) {
    const x = req(inputs, 0, 'input');
    return [x.value ? { shape: [...x.shape], dtype: x.dtype, value: x.value } : { shape: [...x.shape], dtype: x.dtype }];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: 0, bytesRead: inputs.map(() => 0), bytesWritten: 0 }),
});
