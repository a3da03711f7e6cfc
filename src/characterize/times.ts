import { z } from 'zod';
import { computeDtype, profileNode } from './profile.js';
import { achievedSeconds, type Device, type TransformMethod } from '../device/device.js';
import { AccelmapError } from '../util/errors.js';
import { readTextFile } from '../util/files.js';
import type { Graph, Node } from '../workload/graph.js';

/** A node's work done another way (another convolution algorithm): the FLOPs it computes, the bytes it moves and the algorithm. */
export interface Work {
  flops: number;
  bytes: number;
  method: TransformMethod;
}

/**
 * Where the planner gets the time of each node: the roofline of a device
 * (characterize/'s modeled time) or per-layer times from elsewhere, such as
 * a mapper's results. A source that cannot time other work (`secondsFor`
 * absent) runs every convolution as timed, with one algorithm and no
 * workspace.
 */
export interface LayerTimes {
  /** Where the times come from, for reports. */
  readonly source: string;
  seconds(graph: Graph, node: Node): number;
  secondsFor?(graph: Graph, node: Node, work: Work): number;
}

/** The device's achieved-efficiency factors in words, for reports. */
function measured(device: Device): string {
  const factors = Object.entries(device.efficiency ?? {});
  return factors.length ? ` at its measured efficiency (${factors.map(([k, v]) => `${k} ${Math.round(v * 100)}%`).join(', ')} of the roofline)` : '';
}

export function rooflineTimes(device: Device): LayerTimes {
  return {
    source: `roofline of ${device.name}${measured(device)}`,
    seconds: (graph, node) => profileNode(graph, node, device).seconds,
    secondsFor: (graph, node, work) =>
      achievedSeconds(device, work.method, computeDtype(graph, node), work.flops, work.bytes),
  };
}

/** Seconds per node name (e.g. a mapper's per-layer times); nodes the map lacks take the fallback's time. */
export function mappedTimes(seconds: Readonly<Record<string, number>>, fallback: LayerTimes, source: string): LayerTimes {
  return {
    source: `${source} (other nodes: ${fallback.source})`,
    seconds: (graph, node) => seconds[node.name] ?? fallback.seconds(graph, node),
  };
}

const secondsMap = z.record(z.string(), z.number().nonnegative().finite());

/** Reads `{ "<node name>": seconds, … }` from a JSON file. */
export function readLayerTimes(file: string): Record<string, number> {
  const text = readTextFile(file, 'layer-times file');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new AccelmapError('bad-file', `not JSON: ${(e as Error).message}`, { file });
  }
  const parsed = secondsMap.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AccelmapError('bad-file', issue.path.length ? 'must be a number of seconds ≥ 0' : 'must be an object of node name → seconds', { file, path: issue.path.join('.') || undefined });
  }
  return parsed.data;
}
