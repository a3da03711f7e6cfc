import { AccelmapError } from '../util/errors.js';
import { balancedDims, type System } from './system.js';

/**
 * The system a group of devices sees when the machine is split into groups
 * of `size` for one kind of parallelism. `inner` groups are runs of
 * consecutive devices (inside a node first); `outer` groups take one device
 * from each inner group (stride N / size). Approximations, stated:
 * - a ring's inner group of t devices is a line, which still runs a ring
 *   algorithm at full bandwidth (the closing hop uses the other direction);
 *   its outer groups hop over t links that t groups share: bandwidth B/t,
 *   latency t·α;
 * - a torus's inner group is a ring of t neighbours; its outer groups form
 *   a balanced torus of the same rank (link sharing ignored);
 * - a switch's groups are smaller switches;
 * - a hierarchical system's inner group stays inside a node when it fits,
 *   and its outer groups then span nodes through the NICs.
 */
export type Placement = 'inner' | 'outer';

export function subgroup(system: System, size: number, placement: Placement): System {
  const n = system.devices;
  if (!Number.isSafeInteger(size) || size < 1 || n % size !== 0) {
    throw new AccelmapError('bad-input', `${n} devices do not split into groups of ${size}`, {}, 'choose a group size that divides the device count');
  }
  if (size === n && placement === 'inner') return system;
  const others = n / size;
  const t = system.topology;
  const link = system.link;
  switch (t.kind) {
    case 'switch':
      return { devices: size, topology: t, link };
    case 'ring':
      if (placement === 'inner') return { devices: size, topology: t, link };
      return { devices: size, topology: t, link: { bandwidthBytesPerSecond: link.bandwidthBytesPerSecond / others, latencySeconds: link.latencySeconds * others } };
    case 'torus':
      if (placement === 'inner') return { devices: size, topology: { kind: 'ring' }, link };
      return { devices: size, topology: { kind: 'torus', dims: balancedDims(size, t.dims.length) }, link };
    case 'hier': {
      const k = t.nodeDevices;
      if (placement === 'inner') {
        if (size <= k) {
          if (k % size !== 0) throw new AccelmapError('bad-input', `groups of ${size} do not fit evenly in nodes of ${k} devices`);
          return { devices: size, topology: { kind: 'switch' }, link: t.intraLink };
        }
        if (size % k !== 0) throw new AccelmapError('bad-input', `groups of ${size} are not whole nodes of ${k} devices`);
        return { devices: size, topology: t, link };
      }
      // one device from each inner group: `others` consecutive devices share a node
      if (others >= k) return { devices: size, topology: { kind: 'switch' }, link };
      if (k % others !== 0) throw new AccelmapError('bad-input', `groups of ${others} do not fit evenly in nodes of ${k} devices`);
      const perNode = k / others;
      return { devices: size, topology: { kind: 'hier', nodeDevices: perNode, intraLink: t.intraLink }, link };
    }
  }
}
