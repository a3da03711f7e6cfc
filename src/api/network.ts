import { availableParallelism } from 'node:os';
import type { Architecture } from '../arch/types.js';
import { layerWork, problemWork } from '../network/layers.js';
import { mapWork, type NetworkResult } from '../network/map.js';
import type { Problem } from '../problem/types.js';
import type { Graph } from '../workload/graph.js';
import { resolveSettings, type SearchSettings } from './mapping.js';
import { progressTo, type OnProgress } from './progress.js';

export interface MapNetworkOptions extends SearchSettings {
  /** Worker threads (default: the cores of this machine; 1 searches in this thread). Results do not depend on it. */
  threads?: number;
  /** The layer's name when mapping a single loop nest (default: its kind). */
  name?: string;
  /** The graph as exported, when `workload` is its compiled form: priced with the same searches, for the totals without compilation (`uncompiled`). */
  baseline?: Graph;
  onProgress?: OnProgress;
}

function isGraph(w: Graph | Problem): w is Graph {
  return 'nodes' in w;
}

/**
 * Maps every layer of a graph (or one loop nest) onto an accelerator: each
 * distinct loop nest is searched once, ops without MACs are priced on the
 * vector unit; per layer and in total: cycles, energy, utilization, the
 * roofline bound and the ratio to it, and each layer's mapping.
 */
export async function mapNetwork(workload: Graph | Problem, arch: Architecture, options: MapNetworkOptions = {}): Promise<NetworkResult> {
  const s = resolveSettings(options);
  const threads = options.threads ?? Math.max(1, availableParallelism());
  const progress = progressTo(options.onProgress);
  if (isGraph(workload)) return mapWork(workload.name, workload.mode, workload.batch, layerWork(workload), arch, { ...s, threads, progress, baseline: options.baseline && layerWork(options.baseline) });
  return mapWork(options.name ?? workload.kind, 'infer', 1, problemWork(options.name ?? workload.kind, workload), arch, { ...s, threads, progress });
}
