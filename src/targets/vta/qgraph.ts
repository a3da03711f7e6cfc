import type { ParamSource } from '../../execute/execute.js';
import { quantizeGraph as buildIntegerGraph, type IntegerProfile, type QGraph, type QuantizeOptions } from '../../quantize/integer/graph.js';
import type { Graph } from '../../workload/graph.js';

/** Largest int8 code VTA's buffers hold in its symmetric range. */
export const QMAX = 127;

/**
 * VTA's profile of the integer graph: int8 everywhere in signed codes (its
 * input and weight buffers hold int8), 32-bit accumulators, no grouped
 * convolution on the GEMM core.
 */
export const VTA_PROFILE: IntegerProfile = { runner: 'VTA', scales: 'power-of-two', unsigned: false, grouped: false, maxAccBits: 32, outputBits: 8, hostReason: (op) => `${op} is not a VTA operator` };

/** The int8 graph VTA runs: the target-independent integer graph under VTA's profile. */
export function quantizeGraph(graph: Graph, params: ParamSource, o: Omit<QuantizeOptions, 'profile' | 'bits'>): QGraph {
  return buildIntegerGraph(graph, params, { ...o, profile: VTA_PROFILE });
}
