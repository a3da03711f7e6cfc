import type { DType } from './dtype.js';

/**
 * The workload graph: ops (Node) connected by named tensors, every tensor
 * with a static shape and an element type. Inference and training graphs are
 * both Graphs. Everything here is plain JSON-serializable data.
 */

/** A flat, row-major constant value, kept for small tensors (shapes, axes, indices) so that shape rules can read them. */
export type TensorValue = number[];

/** What a shape rule sees of a tensor. */
export interface TensorType {
  shape: number[];
  dtype: DType;
  /** Known constant contents (row-major), when small and known. */
  value?: TensorValue;
}

export type TensorKind =
  /** Fed to the graph from outside (images, token ids, labels). */
  | 'input'
  /** A trained parameter. */
  | 'weight'
  /** A fixed non-trained constant (shape vectors, axes, buffers). */
  | 'constant'
  /** Produced by a forward op. */
  | 'activation'
  /** Produced by a backward op (activation or weight gradient). */
  | 'gradient'
  /** Optimizer state (momentum, Adam moments). */
  | 'optimizer-state';

export interface Tensor extends TensorType {
  name: string;
  kind: TensorKind;
  /** Produced in forward and read again in backward: must survive until then (training graphs). */
  savedForBackward?: boolean;
  /** For a weight gradient: the weight it belongs to; for optimizer state and updated weights: the weight. */
  of?: string;
}

export type Phase = 'forward' | 'backward' | 'update';

export type AttrValue = number | string | boolean | number[] | string[] | null | TensorType;
export type Attrs = Record<string, AttrValue>;

export interface Node {
  name: string;
  /** Op kind, a key of the op registry (e.g. `Conv`). */
  op: string;
  /** Input tensor names; an empty string stands for an omitted optional input. */
  inputs: string[];
  outputs: string[];
  /** Parsed, typed attributes (see the op kind's file). */
  attrs: Attrs;
  phase: Phase;
}

export interface Graph {
  name: string;
  mode: 'infer' | 'train';
  /** Batch size the graph was built (or bound) with; 1 when it has no batch. */
  batch: number;
  tensors: Record<string, Tensor>;
  /** In a valid execution (topological) order. */
  nodes: Node[];
  inputs: string[];
  outputs: string[];
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensorOf(graph: Graph, name: string): Tensor {
  const t = graph.tensors[name];
  if (!t) throw new Error(`graph ${graph.name}: no tensor '${name}'`);
  return t;
}

/** Number of trained parameters (elements of weight tensors). */
export function paramCount(graph: Graph): number {
  let n = 0;
  for (const t of Object.values(graph.tensors)) if (t.kind === 'weight') n += numel(t.shape);
  return n;
}
