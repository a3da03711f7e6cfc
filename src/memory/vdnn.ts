import type { Device } from '../device/device.js';
import type { Graph } from '../workload/graph.js';
import { baselineOf, configOf, evaluate, planWith, preparePlanner, type Evaluation, type MemoryCategory } from './plan.js';

/**
 * accelmap's figures beside the published vDNN results (Rhu et al.,
 * "vDNN: Virtualized Deep Neural Networks for Scalable, Memory-Efficient
 * Neural Network Design", MICRO'16; the abstract gives the figures below),
 * on the Titan X the paper used.
 */
export const VDNN_PUBLISHED = {
  /** Average GPU memory cut by offloading ("up to"), per network, at batch 128. */
  averageReduction: { alexnet_caffe: 0.89, alexnet: 0.89, overfeat: 0.91, googlenet: 0.95 } as Record<string, number>,
  batch: { alexnet: 128, overfeat: 128, googlenet: 128, vgg16: 256 } as Record<string, number>,
  /** VGG-16 at batch 256 "requiring 28 GB of memory". */
  vgg16Bytes: 28e9,
  /** VGG-16 at batch 256 trains on a 12 GB Titan X with vDNN_dyn, 18% slower than a GPU with enough memory. */
  vgg16Slowdown: 0.18,
} as const;

/** The network-wide allocation vDNN reports for a network and batch, when it reports one. */
export function publishedNetworkWideBytes(model: string, batch: number): number | undefined {
  return model === 'vgg16' && batch === VDNN_PUBLISHED.batch.vgg16 ? VDNN_PUBLISHED.vgg16Bytes : undefined;
}

export interface ReductionRow {
  model: string;
  batch: number;
  published: number;
  /** Network-wide allocation (vDNN's baseline): every buffer, one workspace as large as the largest. */
  networkWideBytes: number;
  /** Network-wide allocation with every convolution's own workspace (none shared). */
  networkWideEachWorkspaceBytes: number;
  /** Weights (and optimizer state not kept on the host): resident all step whatever is offloaded. */
  persistentBytes: number;
  /** Time-averaged memory with every layer input offloaded and memory-lean convolutions (vDNN_all(m)). */
  avgBytes: number;
  peakBytes: number;
  /** 1 − avg / network-wide. */
  reduction: number;
  /** 1 − avg / network-wide with every convolution's own workspace. */
  reductionEachWorkspace: number;
  /** The same counting only feature maps, their gradients, the inputs and workspace on both sides (no weights, weight gradients or optimizer state). */
  reductionFeatureMaps: number;
}

function residentBytes(e: Evaluation): number {
  return e.variant.schedule.buffers.filter((b) => b.persistent && !e.hostState.has(b.id)).reduce((s, b) => s + b.bytes, 0);
}

const FEATURE_MAPS: ReadonlySet<MemoryCategory> = new Set(['activations', 'activation-gradients', 'inputs', 'workspace']);

/** Time-weighted average of the feature-map categories over the step. */
function featureMapAverage(e: Evaluation): number {
  const { events, totalSeconds } = e.timeline;
  let level = 0, area = 0;
  events.forEach((ev, i) => {
    if (i > 0) area += level * (ev.seconds - events[i - 1]!.seconds);
    if (FEATURE_MAPS.has(ev.category)) level += ev.bytes;
  });
  return area / totalSeconds;
}

export function reductionRow(graph: Graph, device: Device): ReductionRow {
  const p = preparePlanner(graph, device);
  const networkWideBytes = baselineOf(p).networkWideBytes;
  const e = evaluate(p, configOf('all', 'lean'));
  const persistent = residentBytes(e);
  const { avgBytes, peakBytes } = e.timeline;
  const buffers = p.plain.schedule.buffers.reduce((s, b) => s + b.bytes, 0);
  const featureMapBuffers = p.plain.schedule.buffers.filter((b) => FEATURE_MAPS.has(b.category)).reduce((s, b) => s + b.bytes, 0);
  const largestWorkspace = networkWideBytes - buffers;
  const networkWideEachWorkspaceBytes = buffers + [...p.conv.values()].reduce((s, c) => s + c.fast.workspaceBytes, 0);
  return {
    model: graph.name,
    batch: graph.batch,
    published: VDNN_PUBLISHED.averageReduction[graph.name] ?? NaN,
    networkWideBytes,
    networkWideEachWorkspaceBytes,
    persistentBytes: persistent,
    avgBytes,
    peakBytes,
    reduction: 1 - avgBytes / networkWideBytes,
    reductionEachWorkspace: 1 - avgBytes / networkWideEachWorkspaceBytes,
    reductionFeatureMaps: 1 - featureMapAverage(e) / (featureMapBuffers + largestWorkspace),
  };
}

export interface Vgg16Row {
  optimizer: string;
  /** The device as used: its measured efficiency factors, or its bare roofline. */
  device: string;
  /** All buffers of the step, no workspace: what a network-wide allocation needs besides convolution workspace. */
  buffersBytes: number;
  largestWorkspaceBytes: number;
  fits: boolean;
  peakBytes: number;
  configuration: { offload: string; leanConvolutions: number };
  slowdown: number;
}

export function vgg16Row(graph: Graph, device: Device, optimizer: string): Vgg16Row {
  const p = preparePlanner(graph, device);
  const base = baselineOf(p);
  const largestWorkspaceBytes = Math.max(0, ...base.evaluation.workspaceBytes);
  const plan = planWith(p, 'dyn');
  return {
    optimizer,
    device: device.name,
    buffersBytes: base.networkWideBytes - largestWorkspaceBytes,
    largestWorkspaceBytes,
    fits: plan.fits,
    peakBytes: plan.peakBytes,
    configuration: { offload: plan.offload, leanConvolutions: plan.leanConvolutions },
    slowdown: plan.slowdown,
  };
}
