import type { LoweredProblem } from '../problem/types.js';
import type { AttrValue, Attrs, Node, TensorType } from './graph.js';
import { AccelmapError } from '../util/errors.js';

/**
 * An op kind is defined once, in one file under ops/, with its typed
 * attributes, its shape rule, its operation counts and (for compute ops) its
 * lowering to loop nests. Semantics follow the latest ONNX opset where ONNX
 * has the op; the ONNX importer upgrades older opset forms to it.
 */
export const OP_CLASSES = [
  'convolution',
  'matmul',
  'recurrent',
  'elementwise',
  'activation',
  'normalization',
  'reduction',
  'pooling',
  'data-movement',
  'embedding',
  'loss',
  'optimizer',
  'other',
] as const;
export type OpClass = (typeof OP_CLASSES)[number];

export interface OpCounts {
  /** Multiply-accumulates. */
  macs: number;
  /** FLOPs beyond the MACs (adds of a bias, activations, normalization …), by the op's stated convention. */
  otherFlops: number;
  /** Bytes read of each input, when not the whole tensor (views read nothing; an embedding reads only the gathered rows). */
  bytesRead?: number[];
  /** Bytes written, when not the whole outputs (views write nothing). */
  bytesWritten?: number;
}

/** What a backward rule may use to emit gradient nodes (see train/). */
export interface GradContext {
  node: Node;
  inputs: (TensorType | undefined)[];
  outputs: TensorType[];
  /** Gradient tensor name of each output ('' when no gradient flows into it). */
  outputGrads: string[];
  /** Whether each input needs a gradient. */
  needsGrad: boolean[];
  /** Adds a backward node (its output shapes come from the op's shape rule); returns its `outputs` output tensor names. */
  emit(op: string, inputs: string[], attrs?: Attrs, outputs?: number): string[];
  /** A small constant (shape vectors, axes) for backward nodes to read. */
  constant(value: number[], shape?: number[]): string;
  /** A zero tensor of the given type (the gradient of an output nothing depends on). */
  zeros(type: TensorType): string;
}

export interface OpKind<A extends Attrs = Attrs> {
  /** Registry key, e.g. `Conv`. */
  readonly op: string;
  readonly opClass: OpClass;
  /** One line stating the FLOP convention, shown by `accelmap ops`. */
  readonly flopConvention: string;
  /** Validates raw attributes (ONNX-style names) and fills in defaults; idempotent on its own output. */
  attrs(raw: Attrs): A;
  /** The shape rule: output types (shapes, dtypes and, when cheap and all inputs are known, constant values). */
  infer(inputs: (TensorType | undefined)[], attrs: A): TensorType[];
  counts(inputs: (TensorType | undefined)[], outputs: TensorType[], attrs: A): OpCounts;
  /** Compute ops: the loop nests that carry their MACs. */
  lower?(inputs: (TensorType | undefined)[], outputs: TensorType[], attrs: A): LoweredProblem[];
  /**
   * Training: emits the nodes computing the gradients of the inputs that
   * need one; returns their tensor names ('' where none).
   */
  backward?(ctx: GradContext, attrs: A): string[];
}

export function defineOp<A extends Attrs>(kind: OpKind<A>): OpKind<A> {
  return kind;
}

// ---------------------------------------------------------------- attribute readers

function bad(name: string, expected: string, got: unknown): AccelmapError {
  return new AccelmapError('bad-input', `attribute ${name} must be ${expected}, got ${JSON.stringify(got)}`);
}

export function intAttr(raw: Attrs, name: string, dflt?: number): number {
  const v: AttrValue | undefined = raw[name];
  if (v === undefined || v === null) {
    if (dflt === undefined) throw new AccelmapError('bad-input', `missing attribute ${name}`);
    return dflt;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(name, 'an integer', v);
  return v;
}

export function floatAttr(raw: Attrs, name: string, dflt?: number): number {
  const v = raw[name];
  if (v === undefined || v === null) {
    if (dflt === undefined) throw new AccelmapError('bad-input', `missing attribute ${name}`);
    return dflt;
  }
  if (typeof v !== 'number') throw bad(name, 'a number', v);
  return v;
}

export function stringAttr(raw: Attrs, name: string, dflt?: string): string {
  const v = raw[name];
  if (v === undefined || v === null) {
    if (dflt === undefined) throw new AccelmapError('bad-input', `missing attribute ${name}`);
    return dflt;
  }
  if (typeof v !== 'string') throw bad(name, 'a string', v);
  return v;
}

export function intsAttr(raw: Attrs, name: string, dflt?: number[]): number[] {
  const v = raw[name];
  if (v === undefined || v === null) {
    if (dflt === undefined) throw new AccelmapError('bad-input', `missing attribute ${name}`);
    return dflt;
  }
  if (typeof v === 'number' && Number.isInteger(v)) return [v];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x))) throw bad(name, 'a list of integers', v);
  return v as number[];
}

export function floatsAttr(raw: Attrs, name: string, dflt?: number[]): number[] {
  const v = raw[name];
  if (v === undefined || v === null) {
    if (dflt === undefined) throw new AccelmapError('bad-input', `missing attribute ${name}`);
    return dflt;
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) throw bad(name, 'a list of numbers', v);
  return v as number[];
}

export function stringsAttr(raw: Attrs, name: string, dflt?: string[]): string[] {
  const v = raw[name];
  if (v === undefined || v === null) {
    if (dflt === undefined) throw new AccelmapError('bad-input', `missing attribute ${name}`);
    return dflt;
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw bad(name, 'a list of strings', v);
  return v as string[];
}

/** Reads one of a fixed set of string values. */
export function enumAttr<T extends string>(raw: Attrs, name: string, allowed: readonly T[], dflt: T): T {
  const v = stringAttr(raw, name, dflt);
  if (!(allowed as readonly string[]).includes(v)) throw new AccelmapError('bad-input', `attribute ${name} must be one of ${allowed.join(', ')}, got '${v}'`);
  return v as T;
}

// ---------------------------------------------------------------- input checks

/** The input at `i`, which must be present. */
export function req(inputs: (TensorType | undefined)[], i: number, what: string): TensorType {
  const t = inputs[i];
  if (!t) throw new AccelmapError('shape', `missing input ${i} (${what})`);
  return t;
}

export function shapeError(message: string): AccelmapError {
  return new AccelmapError('shape', message);
}

/** Asserts a tensor's rank. */
export function expectRank(t: TensorType, ranks: number | number[], what: string): void {
  const ok = Array.isArray(ranks) ? ranks.includes(t.shape.length) : t.shape.length === ranks;
  if (!ok) throw shapeError(`${what} must have rank ${Array.isArray(ranks) ? ranks.join(' or ') : ranks}, got shape [${t.shape.join(',')}]`);
}

/** A constant input's value, which the shape rule needs. */
export function constValue(t: TensorType | undefined, what: string): number[] {
  if (!t?.value) throw shapeError(`${what} must be a constant known before running the model (its value decides output shapes)`);
  return t.value;
}
