import { bytesFor } from './dtype.js';
import { numel, type Graph, type Node, type TensorKind } from './graph.js';
import { atNode, nodeInputTypes, nodeOutputTypes } from './infer.js';
import { registry } from './ops/index.js';

/**
 * Per-node operation counts. FLOPs = 2·MACs + other FLOPs (one MAC = 2 FLOPs).
 * Bytes read are split into weights (trained parameters, constants and
 * optimizer state) and activations (inputs, activations, gradients).
 */
export interface NodeCounts {
  macs: number;
  otherFlops: number;
  flops: number;
  weightBytes: number;
  activationBytes: number;
  bytesRead: number;
  bytesWritten: number;
  /** FLOPs per byte moved (read + written); Infinity when it moves nothing but computes. */
  intensity: number;
}

const WEIGHT_KINDS: ReadonlySet<TensorKind> = new Set(['weight', 'constant', 'optimizer-state']);

export function nodeCounts(graph: Graph, node: Node): NodeCounts {
  const op = registry.get(node.op);
  const inputs = nodeInputTypes(graph, node);
  const outputs = nodeOutputTypes(graph, node);
  let c;
  try {
    c = op.counts(inputs, outputs, node.attrs);
  } catch (e) {
    throw atNode(e, node);
  }
  let weightBytes = 0;
  let activationBytes = 0;
  node.inputs.forEach((name, i) => {
    const t = inputs[i];
    if (!t) return;
    const bytes = c.bytesRead?.[i] ?? bytesFor(numel(t.shape), t.dtype);
    if (WEIGHT_KINDS.has(graph.tensors[name]!.kind)) weightBytes += bytes;
    else activationBytes += bytes;
  });
  const bytesWritten = c.bytesWritten ?? outputs.reduce((s, t) => s + bytesFor(numel(t.shape), t.dtype), 0);
  return countsFrom({ macs: c.macs, otherFlops: c.otherFlops, weightBytes, activationBytes, bytesWritten });
}

/** The counts that follow from MACs, other FLOPs and bytes moved: FLOPs, bytes read and the intensity. */
export function countsFrom(c: Pick<NodeCounts, 'macs' | 'otherFlops' | 'weightBytes' | 'activationBytes' | 'bytesWritten'>): NodeCounts {
  const flops = 2 * c.macs + c.otherFlops;
  const bytesRead = c.weightBytes + c.activationBytes;
  const bytes = bytesRead + c.bytesWritten;
  return {
    macs: c.macs,
    otherFlops: c.otherFlops,
    flops,
    weightBytes: c.weightBytes,
    activationBytes: c.activationBytes,
    bytesRead,
    bytesWritten: c.bytesWritten,
    intensity: bytes > 0 ? flops / bytes : flops > 0 ? Infinity : 0,
  };
}

export type CountTotals = Omit<NodeCounts, 'intensity'>;

export function emptyTotals(): CountTotals {
  return { macs: 0, otherFlops: 0, flops: 0, weightBytes: 0, activationBytes: 0, bytesRead: 0, bytesWritten: 0 };
}

export function addCounts(into: CountTotals, c: CountTotals): CountTotals {
  into.macs += c.macs;
  into.otherFlops += c.otherFlops;
  into.flops += c.flops;
  into.weightBytes += c.weightBytes;
  into.activationBytes += c.activationBytes;
  into.bytesRead += c.bytesRead;
  into.bytesWritten += c.bytesWritten;
  return into;
}

export function graphTotals(graph: Graph): CountTotals {
  const t = emptyTotals();
  for (const n of graph.nodes) addCounts(t, nodeCounts(graph, n));
  return t;
}
