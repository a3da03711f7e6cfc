import type { Graph } from '../workload/graph.js';
import type { DerivedWeight } from './derived.js';

/**
 * A pass rewrites a Graph into an equivalent Graph. Weights a pass computes
 * from others (a convolution's filters with a BatchNormalization folded in)
 * are recorded as `DerivedWeight` recipes: the graph stays plain data, and
 * whoever runs it computes their values from the sources' (derived.ts).
 */
export interface CompileState {
  graph: Graph;
  derived: DerivedWeight[];
}

export interface Pass {
  readonly name: string;
  /** One line for `accelmap compile --help` and reports. */
  readonly description: string;
  /** Whether the pass keeps a training graph's meaning (its statistics, saved tensors, gradients). */
  readonly training: boolean;
  run(state: CompileState, options: PassOptions): CompileState;
}

export interface PassOptions {
  /** Channel block of the layout pass (the accelerator's vector width). */
  block: number;
}
