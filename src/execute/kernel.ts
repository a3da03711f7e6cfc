import { AccelmapError } from '../util/errors.js';
import type { Attrs, Node, TensorType } from '../workload/graph.js';
import type { Value } from './value.js';

/**
 * A kernel computes one op kind on values. It sees the node's inputs ('' →
 * undefined), its parsed attributes, and the output types the shape rule
 * already inferred (shapes are static in a Graph, so a kernel never
 * re-derives them). Kernels allocate their outputs and never mutate inputs.
 */
export interface KernelCall<A extends Attrs = Attrs> {
  node: Node;
  inputs: (Value | undefined)[];
  attrs: A;
  outputs: TensorType[];
  /** The registry the call came from (a fused node runs its members through it). */
  kernels: KernelRegistry;
}

export interface Kernel<A extends Attrs = Attrs> {
  /** Op kind it computes (a key of the workload registry). */
  readonly op: string;
  run(call: KernelCall<A>): Value[];
}

export function defineKernel<A extends Attrs = Attrs>(op: string, run: (call: KernelCall<A>) => Value[]): Kernel<A> {
  return { op, run };
}

/** The input at `i`, which the op requires. */
export function input(call: KernelCall<any>, i: number): Value {
  const v = call.inputs[i];
  if (!v) throw new AccelmapError('bad-input', `${call.node.op} needs input ${i}`, { path: `node ${call.node.name}` });
  return v;
}

/** Refuses what the kernel does not compute, naming the node. */
export function unsupported(call: KernelCall<any>, what: string): AccelmapError {
  return new AccelmapError('unsupported', `${call.node.op}: ${what} is not supported by the executor`, { path: `node ${call.node.name}` });
}

/** An explicit registry of kernels, one per op kind; duplicates are refused. */
export class KernelRegistry {
  private readonly kernels = new Map<string, Kernel>();

  register(k: Kernel<any>): this {
    if (this.kernels.has(k.op)) throw new Error(`kernel ${k.op} is registered twice`);
    this.kernels.set(k.op, k as Kernel);
    return this;
  }

  has(op: string): boolean {
    return this.kernels.has(op);
  }

  get(op: string): Kernel | undefined {
    return this.kernels.get(op);
  }

  ops(): string[] {
    return [...this.kernels.keys()];
  }
}
