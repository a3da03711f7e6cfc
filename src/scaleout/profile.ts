import type { OpClass } from '../workload/op.js';

/**
 * What the scale-out model needs to know about one training step on one
 * device: per layer (in forward order) its forward and backward time, the
 * gradient it produces and the activations it hands to the next layer. Built
 * from a workload graph by `from-graph.ts`; any other source (measurements,
 * a mapper) can fill the same plain data.
 */
export interface LayerProfile {
  name: string;
  layerClass: OpClass;
  forwardSeconds: number;
  backwardSeconds: number;
  /** Trained parameters of this layer (elements of its weight gradients). */
  gradientElements: number;
  gradientBytes: number;
  /** Bytes of this layer's outputs for the whole per-device batch (tensor- and pipeline-parallel traffic). */
  outputBytes: number;
}

export interface StepProfile {
  model: string;
  /** Samples per device (per model replica) and step. */
  batch: number;
  layers: LayerProfile[];
  /** Optimizer update of all parameters. */
  updateSeconds: number;
  /** Device memory bandwidth, for the passes over gradients that compression adds. */
  memoryBytesPerSecond: number;
  /** Where the times come from, in words. */
  source: string;
}

export function forwardSeconds(p: StepProfile): number {
  return p.layers.reduce((s, l) => s + l.forwardSeconds, 0);
}

export function backwardSeconds(p: StepProfile): number {
  return p.layers.reduce((s, l) => s + l.backwardSeconds, 0);
}

export function gradientBytes(p: StepProfile): number {
  return p.layers.reduce((s, l) => s + l.gradientBytes, 0);
}

/** One device doing the whole step alone: forward, backward and update. */
export function singleDeviceSeconds(p: StepProfile): number {
  return forwardSeconds(p) + backwardSeconds(p) + p.updateSeconds;
}
