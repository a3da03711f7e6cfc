import { rooflineTimes, type LayerTimes } from '../characterize/times.js';
import type { Device } from '../device/device.js';
import { bytesFor } from '../workload/dtype.js';
import { numel, type Graph, type Node } from '../workload/graph.js';
import { memberNodes } from '../workload/ops/fused.js';
import { opClassOf } from '../workload/ops/index.js';
import type { LayerProfile, StepProfile } from './profile.js';

/**
 * Builds a step profile from a training graph: every node's time comes from
 * `times` (by default the device's roofline, characterize/; or a mapper's
 * per-layer times), the device gives the memory bandwidth, forward nodes
 * are the layers, each backward node is charged to the forward node it
 * differentiates, and the update nodes make the optimizer step.
 *
 * Backward nodes are named after the forward node they came from
 * (`<node>.<Op>`), after the tensor whose gradients they add up
 * (`<tensor>.grad_accum`) or after a weight (`<weight>.grad`); a name that
 * matches none of these is charged to the layer of the backward node before
 * it (backward nodes come in reverse layer order, in runs per layer).
 */
export function stepProfileFromGraph(graph: Graph, device: Device, times: LayerTimes = rooflineTimes(device)): StepProfile {
  if (graph.mode !== 'train') throw new Error(`graph ${graph.name} is not in training form`);
  const forward = graph.nodes.filter((n) => n.phase === 'forward');
  const layerOf = new Map<string, number>();
  forward.forEach((n, i) => {
    // a fused group answers to its members' names and tensors too
    for (const m of memberNodes(n)) {
      layerOf.set(m.name, i);
      for (const o of m.outputs) if (o && !layerOf.has(o)) layerOf.set(o, i);
    }
  });
  // A weight used by several nodes (tied embeddings) counts at its first use:
  // its gradient is complete when that node's backward, the last, is done.
  const seen = new Set<string>();
  const layers: LayerProfile[] = forward.map((node) => {
    let gradientElements = 0;
    let gradientBytes = 0;
    for (const name of node.inputs) {
      const t = name ? graph.tensors[name] : undefined;
      if (t?.kind !== 'weight' || seen.has(name)) continue;
      seen.add(name);
      gradientElements += numel(t.shape);
      gradientBytes += bytesFor(numel(t.shape), t.dtype);
    }
    return {
      name: node.name,
      layerClass: opClassOf(node),
      forwardSeconds: times.seconds(graph, node),
      backwardSeconds: 0,
      gradientElements,
      gradientBytes,
      outputBytes: node.outputs.reduce((s, o) => (o ? s + bytesFor(numel(graph.tensors[o]!.shape), graph.tensors[o]!.dtype) : s), 0),
    };
  });
  let updateSeconds = 0;
  let last = layers.length - 1;
  for (const node of graph.nodes) {
    if (node.phase === 'forward') continue;
    const seconds = times.seconds(graph, node);
    if (node.phase === 'update') {
      updateSeconds += seconds;
      continue;
    }
    last = owner(node, layerOf) ?? last;
    layers[last]!.backwardSeconds += seconds;
  }
  return {
    model: graph.name,
    batch: graph.batch,
    layers,
    updateSeconds,
    memoryBytesPerSecond: device.memoryBandwidthBytesPerSecond,
    source: `${times.source} on the training graph (forward, backward and update nodes)`,
  };
}

/** The layer a backward node belongs to: the longest dotted prefix of its name that names a forward node or tensor. */
function owner(node: Node, layerOf: Map<string, number>): number | undefined {
  const parts = node.name.replace(/_\d+$/, '').split('.');
  for (let k = parts.length - 1; k >= 1; k--) {
    const i = layerOf.get(parts.slice(0, k).join('.'));
    if (i !== undefined) return i;
  }
  return undefined;
}
