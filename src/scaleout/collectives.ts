import { AccelmapError } from '../util/errors.js';
import type { Link, System } from './system.js';
import { topologyName } from './system.js';

/**
 * α–β costs of collectives: every step costs the link latency α plus the
 * bytes it moves over one link divided by the link bandwidth B (β = 1/B).
 *
 * - ring reduce-scatter / all-gather of S bytes over n devices:
 *   (n−1)(α + S/(nB)) — each device sends (n−1)/n·S;
 * - ring all-reduce = reduce-scatter + all-gather: 2(n−1)(α + S/(nB));
 * - tree (binomial reduce, then broadcast): 2⌈log₂n⌉(α + S/B);
 * - parameter server (one device serves): push and pull through its port,
 *   2α + 2(n−1)S/B;
 * - torus (d₁ × d₂ [× d₃]): reduce-scatter along each dimension in turn on
 *   the piece the previous one left (S, S/d₁, S/(d₁d₂)), then all-gather in
 *   reverse — for 2-D this is "reduce-scatter along x, all-reduce along y,
 *   all-gather along x";
 * - hierarchical: reduce-scatter inside each node, all-reduce between nodes
 *   (one ring per local rank, on S/k), all-gather inside each node.
 *
 * `simulate.ts` checks these against a step-by-step simulation on the links.
 */
export interface CollectiveCost {
  seconds: number;
  /** Bytes each device sends (the busiest device, for the parameter-server root). */
  bytesSentPerDevice: number;
  /** Latency-bound steps on the critical path. */
  steps: number;
}

export const ALL_REDUCE_ALGORITHMS = ['ring', 'tree', 'ps', 'torus', 'hier'] as const;
export type AllReduceAlgorithm = (typeof ALL_REDUCE_ALGORITHMS)[number];

export const ZERO: CollectiveCost = { seconds: 0, bytesSentPerDevice: 0, steps: 0 };

export function add(a: CollectiveCost, b: CollectiveCost): CollectiveCost {
  return { seconds: a.seconds + b.seconds, bytesSentPerDevice: a.bytesSentPerDevice + b.bytesSentPerDevice, steps: a.steps + b.steps };
}

/** Ring reduce-scatter (or all-gather: the same cost) of `bytes` over n devices. */
export function ringHalf(n: number, bytes: number, link: Link): CollectiveCost {
  if (n <= 1) return ZERO;
  const perStep = bytes / n;
  return { seconds: (n - 1) * (link.latencySeconds + perStep / link.bandwidthBytesPerSecond), bytesSentPerDevice: (n - 1) * perStep, steps: n - 1 };
}

export function ringAllReduce(n: number, bytes: number, link: Link): CollectiveCost {
  return add(ringHalf(n, bytes, link), ringHalf(n, bytes, link));
}

export function treeAllReduce(n: number, bytes: number, link: Link): CollectiveCost {
  if (n <= 1) return ZERO;
  const levels = Math.ceil(Math.log2(n));
  // the root sends the whole message once per level while broadcasting
  return { seconds: 2 * levels * (link.latencySeconds + bytes / link.bandwidthBytesPerSecond), bytesSentPerDevice: levels * bytes, steps: 2 * levels };
}

export function parameterServerAllReduce(n: number, bytes: number, link: Link): CollectiveCost {
  if (n <= 1) return ZERO;
  return { seconds: 2 * (link.latencySeconds + ((n - 1) * bytes) / link.bandwidthBytesPerSecond), bytesSentPerDevice: (n - 1) * bytes, steps: 2 };
}

/** Reduce-scatter along each dimension in turn: S, S/d₁, S/(d₁d₂) … */
function dimensionalHalf(dims: readonly number[], links: readonly Link[], bytes: number): CollectiveCost {
  let cost = ZERO;
  let piece = bytes;
  dims.forEach((d, i) => {
    cost = add(cost, ringHalf(d, piece, links[i]!));
    piece /= d;
  });
  return cost;
}

/**
 * The per-dimension view of a topology for the dimension-wise algorithms
 * (torus, hier): sizes, links, and whether a dimension is a ring of
 * neighbour links (ring, torus) rather than ports on a switch.
 */
export function topologyDimensions(system: System): { dims: number[]; links: Link[]; rings: boolean } {
  const t = system.topology;
  if (t.kind === 'torus') return { dims: t.dims, links: t.dims.map(() => system.link), rings: true };
  if (t.kind === 'hier') return { dims: [t.nodeDevices, system.devices / t.nodeDevices], links: [t.intraLink, system.link], rings: false };
  return { dims: [system.devices], links: [system.link], rings: t.kind === 'ring' };
}

/** Reduce-scatter of `bytes` (the whole message) with the topology's natural algorithm; each device ends with S/N. */
export function reduceScatter(system: System, bytes: number): CollectiveCost {
  const { dims, links } = topologyDimensions(system);
  return dimensionalHalf(dims, links, bytes);
}

/** All-gather whose result is `bytes` on every device (each contributes bytes/N). Mirror of reduce-scatter. */
export function allGather(system: System, bytes: number): CollectiveCost {
  return reduceScatter(system, bytes);
}

/** The all-reduce algorithms a topology runs without link contention. */
export function algorithmsFor(system: System): AllReduceAlgorithm[] {
  switch (system.topology.kind) {
    case 'ring':
      return ['ring'];
    case 'torus':
      // a ring embedded in the torus has the same bandwidth term, 2(N−1)/N·S/B, and more steps
      return ['torus'];
    case 'switch':
      return ['ring', 'tree', 'ps'];
    case 'hier':
      return ['hier'];
  }
}

export function allReduce(system: System, bytes: number, algorithm: AllReduceAlgorithm): CollectiveCost {
  if (!algorithmsFor(system).includes(algorithm)) {
    throw new AccelmapError('bad-input', `the ${algorithm} all-reduce does not run on a ${topologyName(system.topology)} topology`, {}, `use one of ${algorithmsFor(system).join(', ')}`);
  }
  const n = system.devices;
  switch (algorithm) {
    case 'ring':
      return ringAllReduce(n, bytes, system.link);
    case 'tree':
      return treeAllReduce(n, bytes, system.link);
    case 'ps':
      return parameterServerAllReduce(n, bytes, system.link);
    case 'torus':
    case 'hier':
      return add(reduceScatter(system, bytes), allGather(system, bytes));
  }
}

/** The fastest all-reduce the topology offers for this message size, and its name. */
export function bestAllReduce(system: System, bytes: number): CollectiveCost & { algorithm: AllReduceAlgorithm } {
  let best: (CollectiveCost & { algorithm: AllReduceAlgorithm }) | undefined;
  for (const a of algorithmsFor(system)) {
    const c = allReduce(system, bytes, a);
    if (!best || c.seconds < best.seconds) best = { ...c, algorithm: a };
  }
  return best!;
}

/** One message between neighbouring devices. */
export function pointToPoint(bytes: number, link: Link): CollectiveCost {
  return { seconds: link.latencySeconds + bytes / link.bandwidthBytesPerSecond, bytesSentPerDevice: bytes, steps: 1 };
}
