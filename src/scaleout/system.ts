import { AccelmapError } from '../util/errors.js';

/**
 * A multi-device training system: N identical devices joined by a topology
 * whose links have a bandwidth (per direction, full duplex) and a latency.
 *
 * - `ring`: device i has links to i−1 and i+1 (mod N).
 * - `torus`: devices on a 2-D or 3-D grid (device id = x + a·y + a·b·z) with
 *   wrap-around links to both neighbours along every dimension.
 * - `switch`: one port per device on a non-blocking switch; the link latency
 *   is end to end (half on the way up, half on the way down).
 * - `hier`: nodes of `nodeDevices` devices (id = local + nodeDevices·node);
 *   inside a node every device has a port on a fast node switch
 *   (`intraLink`), and every device also has its own port (NIC) on a
 *   non-blocking switch between nodes (`link`).
 */
export interface Link {
  bandwidthBytesPerSecond: number;
  latencySeconds: number;
}

export type Topology =
  | { kind: 'ring' }
  | { kind: 'switch' }
  | { kind: 'torus'; dims: number[] }
  | { kind: 'hier'; nodeDevices: number; intraLink: Link };

export interface System {
  devices: number;
  topology: Topology;
  /** Neighbour links (ring, torus), switch ports (switch) or inter-node ports (hier). */
  link: Link;
}

/** The names the command line uses. */
export const TOPOLOGY_NAMES = ['ring', 'torus2d', 'torus3d', 'switch', 'hier'] as const;
export type TopologyName = (typeof TOPOLOGY_NAMES)[number];

export interface SystemSpec {
  devices: number;
  topology: TopologyName;
  link: Link;
  /** Torus dimensions (product = devices); balanced when omitted. */
  dims?: number[];
  /** Hierarchical: devices per node and the links inside a node. */
  nodeDevices?: number;
  intraLink?: Link;
}

export function topologyName(t: Topology): TopologyName {
  if (t.kind === 'torus') return t.dims.length === 3 ? 'torus3d' : 'torus2d';
  return t.kind;
}

/** Validates a system description and fills in defaults (balanced torus dimensions). */
export function makeSystem(spec: SystemSpec): System {
  const n = spec.devices;
  if (!Number.isSafeInteger(n) || n < 1) throw new AccelmapError('bad-input', `devices must be a positive integer, got ${n}`, { path: 'devices' });
  checkLink(spec.link, 'link');
  switch (spec.topology) {
    case 'ring':
    case 'switch':
      return { devices: n, topology: { kind: spec.topology }, link: spec.link };
    case 'torus2d':
    case 'torus3d': {
      const rank = spec.topology === 'torus2d' ? 2 : 3;
      const dims = spec.dims ?? balancedDims(n, rank);
      if (dims.length !== rank || dims.some((d) => !Number.isSafeInteger(d) || d < 1) || product(dims) !== n) {
        throw new AccelmapError('bad-input', `a ${spec.topology} of ${n} devices needs ${rank} dimensions whose product is ${n}, got ${dims.join('x')}`, { path: 'dims' });
      }
      return { devices: n, topology: { kind: 'torus', dims }, link: spec.link };
    }
    case 'hier': {
      const k = spec.nodeDevices ?? Math.min(8, n);
      if (!Number.isSafeInteger(k) || k < 1 || n % k !== 0) {
        throw new AccelmapError('bad-input', `${n} devices do not split into nodes of ${k}`, { path: 'nodeDevices' }, 'choose a device count that is a multiple of the devices per node');
      }
      const intraLink = spec.intraLink ?? spec.link;
      checkLink(intraLink, 'intraLink');
      return { devices: n, topology: { kind: 'hier', nodeDevices: k, intraLink }, link: spec.link };
    }
  }
}

function checkLink(l: Link, path: string): void {
  if (!(l.bandwidthBytesPerSecond > 0) || !Number.isFinite(l.bandwidthBytesPerSecond)) throw new AccelmapError('bad-input', `link bandwidth must be positive, got ${l.bandwidthBytesPerSecond}`, { path });
  if (!(l.latencySeconds >= 0) || !Number.isFinite(l.latencySeconds)) throw new AccelmapError('bad-input', `link latency must be zero or positive, got ${l.latencySeconds}`, { path });
}

export function product(xs: readonly number[]): number {
  return xs.reduce((p, x) => p * x, 1);
}

/**
 * `rank` factors of n, largest first, whose largest factor is as small as
 * possible (then the next largest, and so on): 64 → [8, 8], 32 → [8, 4],
 * 64 in 3-D → [4, 4, 4]. A prime n gives [n, 1, …].
 */
export function balancedDims(n: number, rank: number): number[] {
  let best: number[] | undefined;
  const search = (rest: number, left: number, maxFactor: number, acc: number[]) => {
    if (left === 1) {
      if (rest > maxFactor) return;
      const dims = [...acc, rest];
      if (!best || lexLess(dims, best)) best = dims;
      return;
    }
    for (let f = Math.min(rest, maxFactor); f >= 1; f--) {
      if (rest % f !== 0) continue;
      if (f ** left < rest) break;
      search(rest / f, left - 1, f, [...acc, f]);
    }
  };
  search(n, rank, n, []);
  return best!;
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/** Gigabits per second (as network links are quoted) to bytes per second. */
export function gbpsToBytesPerSecond(gbps: number): number {
  return (gbps * 1e9) / 8;
}
