import { numel, type Attrs, type TensorType } from '../graph.js';
import { defineOp, enumAttr, intAttr, req, shapeError, type OpClass, type OpKind } from '../op.js';
import { broadcastMap, broadcastShapes, foldable } from '../shape.js';
import { isInteger, type DType } from '../dtype.js';

/**
 * Element-wise ops over numpy-broadcast inputs: arithmetic (Add, Sub, Mul,
 * Div, Pow, Mod), comparisons and logic (bool result), the variadic Sum,
 * Mean, Max, Min, PRelu and the ternary Where.
 * FLOP convention: 1 per output element per pairwise operation (a variadic op
 * over n inputs costs n − 1, Mean one more for the division, PRelu 2).
 */
export interface NarySpec {
  op: string;
  /** Number of inputs, or 'variadic' (≥ 1). */
  arity: 2 | 3 | 'variadic';
  /** FLOPs per output element given the input count. */
  flops: (n: number) => number;
  bool?: boolean;
  opClass?: OpClass;
  fn?: (xs: number[], integer: boolean, a: Attrs) => number;
}

const intDiv = (a: number, b: number) => Math.trunc(a / b);

export const NARY_SPECS: NarySpec[] = [
  { op: 'Add', arity: 2, flops: () => 1, fn: ([a, b]) => a! + b! },
  { op: 'Sub', arity: 2, flops: () => 1, fn: ([a, b]) => a! - b! },
  { op: 'Mul', arity: 2, flops: () => 1, fn: ([a, b]) => a! * b! },
  { op: 'Div', arity: 2, flops: () => 1, fn: ([a, b], int) => (int ? intDiv(a!, b!) : a! / b!) },
  { op: 'Pow', arity: 2, flops: () => 1, fn: ([a, b]) => a! ** b! },
  {
    op: 'Mod', arity: 2, flops: () => 1,
    fn: ([a, b], _i, attrs) => (attrs.fmod ? a! % b! : ((a! % b!) + b!) % b!),
  },
  { op: 'PRelu', arity: 2, flops: () => 2, opClass: 'activation', fn: ([x, s]) => (x! >= 0 ? x! : s! * x!) },
  { op: 'Equal', arity: 2, flops: () => 1, bool: true, fn: ([a, b]) => (a === b ? 1 : 0) },
  { op: 'Less', arity: 2, flops: () => 1, bool: true, fn: ([a, b]) => (a! < b! ? 1 : 0) },
  { op: 'LessOrEqual', arity: 2, flops: () => 1, bool: true, fn: ([a, b]) => (a! <= b! ? 1 : 0) },
  { op: 'Greater', arity: 2, flops: () => 1, bool: true, fn: ([a, b]) => (a! > b! ? 1 : 0) },
  { op: 'GreaterOrEqual', arity: 2, flops: () => 1, bool: true, fn: ([a, b]) => (a! >= b! ? 1 : 0) },
  { op: 'And', arity: 2, flops: () => 1, bool: true, fn: ([a, b]) => (a && b ? 1 : 0) },
  { op: 'Or', arity: 2, flops: () => 1, bool: true, fn: ([a, b]) => (a || b ? 1 : 0) },
  { op: 'Xor', arity: 2, flops: () => 1, bool: true, fn: ([a, b]) => (!a !== !b ? 1 : 0) },
  { op: 'BitwiseAnd', arity: 2, flops: () => 1, fn: ([a, b]) => a! & b! },
  { op: 'BitwiseOr', arity: 2, flops: () => 1, fn: ([a, b]) => a! | b! },
  { op: 'BitwiseXor', arity: 2, flops: () => 1, fn: ([a, b]) => a! ^ b! },
  { op: 'BitShift', arity: 2, flops: () => 1, fn: ([a, b], _i, attrs) => (attrs.direction === 'LEFT' ? a! * 2 ** b! : Math.floor(a! / 2 ** b!)) },
  { op: 'Sum', arity: 'variadic', flops: (n) => n - 1, fn: (xs) => xs.reduce((s, x) => s + x, 0) },
  { op: 'Mean', arity: 'variadic', flops: (n) => n, fn: (xs) => xs.reduce((s, x) => s + x, 0) / xs.length },
  { op: 'Max', arity: 'variadic', flops: (n) => n - 1, fn: (xs) => Math.max(...xs) },
  { op: 'Min', arity: 'variadic', flops: (n) => n - 1, fn: (xs) => Math.min(...xs) },
  { op: 'Where', arity: 3, flops: () => 1, fn: ([c, x, y]) => (c ? x! : y!) },
];

function outDtype(spec: NarySpec, inputs: TensorType[]): DType {
  if (spec.bool) return 'bool';
  // Where: the type of X; others: the type of the first input
  return spec.op === 'Where' ? inputs[1]!.dtype : inputs[0]!.dtype;
}

function present(spec: NarySpec, inputs: (TensorType | undefined)[]): TensorType[] {
  if (spec.arity === 'variadic') {
    const xs = inputs.filter((t): t is TensorType => !!t);
    if (!xs.length) throw shapeError(`${spec.op} needs at least one input`);
    return xs;
  }
  return Array.from({ length: spec.arity }, (_, i) => req(inputs, i, `input ${i}`));
}

function nary(spec: NarySpec): OpKind {
  return defineOp<Attrs>({
    op: spec.op,
    opClass: spec.opClass ?? 'elementwise',
    flopConvention: spec.arity === 'variadic' ? `${spec.flops(2) === 1 ? 'n − 1' : 'n'} FLOPs per element over n inputs` : `${spec.flops(2)} FLOP${spec.flops(2) === 1 ? '' : 's'} per output element`,
    attrs: (raw): Attrs => (spec.op === 'Mod' ? { fmod: intAttr(raw, 'fmod', 0) } : spec.op === 'BitShift' ? { direction: enumAttr(raw, 'direction', ['LEFT', 'RIGHT'], 'LEFT') } : {}),
    infer(inputs, a) {
      const xs = present(spec, inputs);
      const shape = broadcastShapes(xs.map((t) => t.shape));
      const dtype = outDtype(spec, xs);
      const out: TensorType = { shape, dtype };
      if (spec.fn && foldable(shape)) {
        const integer = isInteger(xs[spec.op === 'Where' ? 1 : 0]!.dtype);
        const v = broadcastMap(xs, shape, (args) => spec.fn!(args, integer, a));
        if (v) out.value = integer && !spec.bool ? v.map(Math.trunc) : v;
      }
      return [out];
    },
    counts(inputs, outputs) {
      return { macs: 0, otherFlops: spec.flops(present(spec, inputs).length) * numel(outputs[0]!.shape) };
    },
  });
}

export const NARY_OPS: OpKind[] = NARY_SPECS.map(nary);
