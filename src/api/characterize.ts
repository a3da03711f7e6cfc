import { profileGraph, type Profile } from '../characterize/profile.js';
import { groupBySimilarity, opMix, similarityMatrix } from '../characterize/similarity.js';
import type { Device } from '../device/device.js';
import { loadDevice } from '../device/load.js';
import { AccelmapError } from '../util/errors.js';
import type { Graph } from '../workload/graph.js';
import { progressTo, type OnProgress } from './progress.js';

/** The roofline device the characterization and planning stages use when none is given. */
export const DEFAULT_DEVICE = 'v100-16gb';

/** A device preset name (`v100-16gb`), a YAML/JSON device file, or a device object. */
export type DeviceRef = string | Device;

export function deviceOf(ref: DeviceRef = DEFAULT_DEVICE): Device {
  return typeof ref === 'string' ? loadDevice(ref) : ref;
}

export interface ProfileOptions {
  /** Default: `v100-16gb`. */
  device?: DeviceRef;
}

/** Per-node and per-group MACs, FLOPs, bytes and modeled roofline time of a graph on a device. */
export function profile(graph: Graph, options: ProfileOptions = {}): Profile {
  return profileGraph(graph, deviceOf(options.device));
}

export interface CompareOptions extends ProfileOptions {
  /** Profile over op types (default) or op classes. */
  by?: 'type' | 'class';
  /** What to call each graph (default: its name), e.g. the file or zoo name it came from. */
  names?: readonly string[];
  onProgress?: OnProgress;
}

export interface Comparison {
  models: string[];
  device: string;
  metric: string;
  /** Cosine similarity of every pair, in the order of `models`. */
  matrix: number[][];
  /** The models in grouped order (similar ones side by side). */
  order: string[];
  /** Average-linkage merges, most similar first. */
  merges: { left: string[]; right: string[]; similarity: number }[];
}

/** Compares workloads by the cosine similarity of their op-type (or op-class) time fractions, and groups them. */
export function compare(graphs: readonly Graph[], options: CompareOptions = {}): Comparison {
  if (graphs.length < 2) throw new AccelmapError('bad-input', 'compare needs at least two models');
  const device = deviceOf(options.device);
  const by = options.by ?? 'type';
  const progress = progressTo(options.onProgress);
  const models = graphs.map((g, i) => options.names?.[i] ?? g.name);
  const mixes = graphs.map((g, i) => {
    progress.update(`${models[i]} (${i + 1}/${graphs.length})`);
    return opMix(profileGraph(g, device), by);
  });
  progress.done();
  const matrix = similarityMatrix(mixes);
  const { order, merges } = groupBySimilarity(matrix);
  const names = (ix: number[]) => ix.map((i) => models[i]!);
  return {
    models,
    device: device.name,
    metric: `cosine similarity of modeled-time fractions per op ${by}`,
    matrix,
    order: names(order),
    merges: merges.map((m) => ({ left: names(m.left), right: names(m.right), similarity: m.similarity })),
  };
}
