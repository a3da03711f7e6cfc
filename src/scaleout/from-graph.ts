import { bytesFor } from '../workload/dtype.js';
import { nodeCounts } from '../workload/counts.js';
import { numel, type Graph } from '../workload/graph.js';
import { registry } from '../workload/ops/index.js';
import type { StepProfile } from './profile.js';

/**
 * Builds a step profile from an inference graph and a roofline device: each
 * node's forward time is max(FLOPs / peak, bytes moved / memory bandwidth)
 * from its counts; backward is taken as twice the forward (an activation
 * gradient and a weight gradient, each as costly as the forward); the
 * optimizer (SGD with momentum) reads weight, gradient and momentum and
 * writes weight and momentum: five passes over the parameters at memory
 * bandwidth.
 */
export interface RooflineDevice {
  name: string;
  peakFlopsPerSecond: number;
  memoryBytesPerSecond: number;
}

/** A V100-class device: 125 TFLOPS (FP16 tensor cores), 900 GB/s HBM2. */
export const ROOFLINE_DEVICE: RooflineDevice = { name: 'v100-class roofline', peakFlopsPerSecond: 125e12, memoryBytesPerSecond: 900e9 };

const BACKWARD_OVER_FORWARD = 2;
const UPDATE_PASSES = 5;

export function stepProfileFromGraph(graph: Graph, device: RooflineDevice = ROOFLINE_DEVICE): StepProfile {
  let weightBytes = 0;
  // A weight used by several nodes (tied embeddings) is counted at its first
  // use: its gradient is complete when that node's backward, the last, is done.
  const seen = new Set<string>();
  const layers = graph.nodes.map((node) => {
    const c = nodeCounts(graph, node);
    const forwardSeconds = Math.max(c.flops / device.peakFlopsPerSecond, (c.bytesRead + c.bytesWritten) / device.memoryBytesPerSecond);
    let gradientElements = 0;
    let gradientBytes = 0;
    for (const name of node.inputs) {
      const t = name ? graph.tensors[name] : undefined;
      if (t?.kind !== 'weight' || seen.has(name)) continue;
      seen.add(name);
      gradientElements += numel(t.shape);
      gradientBytes += bytesFor(numel(t.shape), t.dtype);
    }
    weightBytes += gradientBytes;
    const outputBytes = node.outputs.reduce((s, o) => s + bytesFor(numel(graph.tensors[o]!.shape), graph.tensors[o]!.dtype), 0);
    return { name: node.name, layerClass: registry.get(node.op).opClass, forwardSeconds, backwardSeconds: BACKWARD_OVER_FORWARD * forwardSeconds, gradientElements, gradientBytes, outputBytes };
  });
  return {
    model: graph.name,
    batch: graph.batch,
    layers,
    updateSeconds: (UPDATE_PASSES * weightBytes) / device.memoryBytesPerSecond,
    memoryBytesPerSecond: device.memoryBytesPerSecond,
    source: `${device.name} (${device.peakFlopsPerSecond / 1e12} TFLOPS, ${device.memoryBytesPerSecond / 1e9} GB/s); backward = ${BACKWARD_OVER_FORWARD}× forward`,
  };
}
