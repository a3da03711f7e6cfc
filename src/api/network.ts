import { availableParallelism } from 'node:os';
import type { Architecture } from '../arch/types.js';
import { assembleNetwork as assembleStage } from '../network/assemble.js';
import { layerWork, problemWork } from '../network/layers.js';
import type { NetworkResult } from '../network/map.js';
import { pickAll, type Picked } from '../network/pick.js';
import { planNetwork as planStage, type NetworkPlan } from '../network/plan.js';
import { searchAll, type Searched } from '../network/searches.js';
import type { Problem } from '../problem/types.js';
import type { Graph } from '../workload/graph.js';
import { resolveChoice, resolveSettings, type SearchSettings } from './mapping.js';
import { progressTo, type OnProgress } from './progress.js';

/**
 * The mapper over a whole graph, as four stages that each take and return
 * plain JSON-serializable data, so that any of them can be called alone,
 * stored, or replaced by a user's own:
 *
 * 1. {@link planNetwork}: each layer's compulsory traffic, roofline bound and
 *    loop nests, each nest's partitions across the cores, and the distinct
 *    (per-core) loop nests to search, by key;
 * 2. {@link searchNetwork}: each distinct loop nest searched once, on worker
 *    threads — its best mapping (Timeloop-style directives) and Cost, per
 *    dataflow searched;
 * 3. {@link pickNetwork}: for each loop nest of each layer, the best of its
 *    partitions by the objective, transfers included;
 * 4. {@link assembleNetwork}: layers (ops without MACs priced on the vector
 *    unit) and totals.
 *
 * {@link mapNetwork} runs the four in order.
 *
 * ```ts
 * const plan = planNetwork(loadGraph('resnet18'), arch);
 * const searched = await searchNetwork(plan, arch, { budget: { evaluations: 2000 } });
 * const picked = pickNetwork(plan, searched, arch);
 * const net = assembleNetwork(plan, picked, searched, arch, { budget: { evaluations: 2000 } });
 * ```
 */

export type { NetworkPlan, LayerPlan, NestPlan, PartitionPlan, Roofline } from '../network/plan.js';
export type { Searched, NestSearch, FoundMapping, SearchFailure } from '../network/searches.js';
export type { Picked } from '../network/pick.js';
export type { Partition, PartitionKind } from '../network/cores.js';
export type { LayerWork } from '../network/layers.js';

export interface PlanNetworkOptions {
  /** Precision mode of the compute unit (default: the first); the searches use the plan's. */
  precision?: string;
  /** The layer's name when planning a single loop nest (default: its kind). */
  name?: string;
  /** The graph as exported, when `workload` is its compiled form: planned alongside, for the totals without compilation (`uncompiled`). */
  baseline?: Graph;
}

export interface SearchNetworkOptions extends Omit<SearchSettings, 'precision'> {
  /** Threads that search: this one and `threads - 1` worker threads (default: the cores of this machine; 1 searches in this thread alone). Results do not depend on it. */
  threads?: number;
  onProgress?: OnProgress;
}

export interface MapNetworkOptions extends SearchSettings, Omit<PlanNetworkOptions, 'precision'>, Omit<SearchNetworkOptions, keyof SearchSettings> {}

function isGraph(w: Graph | Problem): w is Graph {
  return 'nodes' in w;
}

/**
 * Stage 1: plans every layer of a graph (or one loop nest) on an accelerator,
 * before anything is searched. `plan.searches` lists each distinct per-core
 * loop nest once, by key; the layers' partitions refer to those keys.
 */
export function planNetwork(workload: Graph | Problem, arch: Architecture, options: PlanNetworkOptions = {}): NetworkPlan {
  const works = isGraph(workload)
    ? { model: workload.name, mode: workload.mode, batch: workload.batch, layers: layerWork(workload), ...(options.baseline ? { baseline: layerWork(options.baseline) } : {}) }
    : { model: options.name ?? workload.kind, mode: 'infer', batch: 1, layers: problemWork(options.name ?? workload.kind, workload) };
  return planStage(works, arch, options.precision);
}

/**
 * Stage 2: searches every distinct loop nest of `plan.searches` (in the plan's
 * precision). A search that ends in a user's error (no valid mapping) keeps
 * it as data (`SearchFailure`); {@link pickNetwork} throws it for the first
 * layer that needs that nest.
 */
export async function searchNetwork(plan: NetworkPlan, arch: Architecture, options: SearchNetworkOptions = {}): Promise<Searched> {
  const s = resolveSettings({ ...options, precision: plan.precision });
  const threads = options.threads ?? Math.max(1, availableParallelism());
  const progress = progressTo(options.onProgress);
  const searched = await searchAll(plan.searches, arch, { ...s, threads, progress });
  progress.done();
  return searched;
}

/**
 * Stage 3: for every loop nest of every layer (and of the baseline's), the
 * best of its partitions across the cores by `objective` (of the settings the
 * searches ran with; only `objective` and `dataflow` are read), with the cost its
 * search gave (nothing is evaluated again). Throws the error of the first
 * search a layer needs that failed, or an `infeasible` AccelmapError when no
 * partition of a nest has a valid mapping.
 */
export function pickNetwork(plan: NetworkPlan, searched: Searched, arch: Architecture, options: SearchSettings = {}): Picked {
  return pickAll(plan, searched, arch, resolveChoice(options));
}

/**
 * Stage 4: the layers from the plan and the picks (one per loop nest of each
 * layer, none for a layer without MACs, which is priced on the vector unit),
 * and the totals. `options` are the settings the searches ran with, as the
 * result states them.
 */
export function assembleNetwork(plan: NetworkPlan, picked: Picked, searched: Searched, arch: Architecture, options: SearchSettings = {}): NetworkResult {
  return assembleStage(plan, picked, searched, arch, resolveChoice(options));
}

/**
 * Maps every layer of a graph (or one loop nest) onto an accelerator: the
 * four stages above in order. Each distinct loop nest is searched once, ops
 * without MACs are priced on the vector unit; per layer and in total: cycles,
 * energy, utilization, the roofline bound and the ratio to it, and each
 * layer's mapping.
 */
export async function mapNetwork(workload: Graph | Problem, arch: Architecture, options: MapNetworkOptions = {}): Promise<NetworkResult> {
  const plan = planNetwork(workload, arch, options);
  const searched = await searchNetwork(plan, arch, options);
  return assembleNetwork(plan, pickNetwork(plan, searched, arch, options), searched, arch, options);
}
