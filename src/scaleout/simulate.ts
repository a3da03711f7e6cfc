import type { AllReduceAlgorithm } from './collectives.js';
import type { Link, System } from './system.js';

/**
 * A slow, obviously-correct reference for the collective cost formulas: the
 * collective is written out as synchronous steps of point-to-point transfers
 * of message chunks, every transfer is routed over the topology's directed
 * links, and each step costs the longest path latency plus the most bytes any
 * one link carries divided by that link's bandwidth. The simulation also
 * tracks which devices' contributions every copy of every chunk holds, so a
 * schedule that double-counts or misses a contribution is caught.
 */

// ---------------------------------------------------------------- network

export interface NetLink extends Link {
  from: number;
  to: number;
}

export interface Network {
  /** Devices are nodes 0..devices−1; switches come after them. */
  devices: number;
  links: NetLink[];
  /** Link indices from one device to another. */
  route(src: number, dst: number): number[];
}

export function buildNetwork(system: System): Network {
  const n = system.devices;
  const links: NetLink[] = [];
  const index = new Map<string, number>();
  const addLink = (from: number, to: number, l: Link) => {
    const key = `${from}>${to}`;
    if (!index.has(key)) {
      index.set(key, links.length);
      links.push({ from, to, ...l });
    }
  };
  const linkId = (from: number, to: number) => {
    const id = index.get(`${from}>${to}`);
    if (id === undefined) throw new Error(`no link ${from}->${to}`);
    return id;
  };
  const half = (l: Link): Link => ({ bandwidthBytesPerSecond: l.bandwidthBytesPerSecond, latencySeconds: l.latencySeconds / 2 });
  const t = system.topology;
  switch (t.kind) {
    case 'ring':
    case 'torus': {
      const dims = t.kind === 'ring' ? [n] : t.dims;
      const coords = (id: number) => dims.map((_, i) => Math.floor(id / stride(dims, i)) % dims[i]!);
      const step = (id: number, dim: number, dir: 1 | -1) => {
        const c = coords(id);
        const d = dims[dim]!;
        return id + (((c[dim]! + dir + d) % d) - c[dim]!) * stride(dims, dim);
      };
      for (let id = 0; id < n; id++) {
        dims.forEach((d, dim) => {
          if (d < 2) return;
          addLink(id, step(id, dim, 1), system.link);
          addLink(id, step(id, dim, -1), system.link);
        });
      }
      // dimension-order routing, the shorter way round each ring (ties go up)
      const route = (src: number, dst: number) => {
        const path: number[] = [];
        let at = src;
        const target = coords(dst);
        dims.forEach((d, dim) => {
          const delta = (((target[dim]! - coords(at)[dim]!) % d) + d) % d;
          const dir: 1 | -1 = delta <= d - delta ? 1 : -1;
          for (let k = 0; k < Math.min(delta, d - delta); k++) {
            const next = step(at, dim, dir);
            path.push(linkId(at, next));
            at = next;
          }
        });
        return path;
      };
      return { devices: n, links, route };
    }
    case 'switch': {
      const sw = n;
      for (let id = 0; id < n; id++) {
        addLink(id, sw, half(system.link));
        addLink(sw, id, half(system.link));
      }
      return { devices: n, links, route: (s, d) => (s === d ? [] : [linkId(s, sw), linkId(sw, d)]) };
    }
    case 'hier': {
      const k = t.nodeDevices;
      const nodes = n / k;
      const nodeSwitch = (id: number) => n + Math.floor(id / k);
      const globalSwitch = n + nodes;
      for (let id = 0; id < n; id++) {
        addLink(id, nodeSwitch(id), half(t.intraLink));
        addLink(nodeSwitch(id), id, half(t.intraLink));
        addLink(id, globalSwitch, half(system.link));
        addLink(globalSwitch, id, half(system.link));
      }
      const route = (s: number, d: number) => {
        if (s === d) return [];
        const via = nodeSwitch(s) === nodeSwitch(d) ? nodeSwitch(s) : globalSwitch;
        return [linkId(s, via), linkId(via, d)];
      };
      return { devices: n, links, route };
    }
  }
}

function stride(dims: readonly number[], dim: number): number {
  let s = 1;
  for (let i = 0; i < dim; i++) s *= dims[i]!;
  return s;
}

// ---------------------------------------------------------------- schedules

export interface Transfer {
  src: number;
  dst: number;
  /** Chunk ids carried; the message is split into `Schedule.chunks` equal chunks. */
  chunks: number[];
  /** `reduce`: the receiver adds what it gets; `copy`: the receiver takes it as is. */
  op: 'reduce' | 'copy';
}

export interface Schedule {
  devices: number;
  chunks: number;
  steps: Transfer[][];
}

/**
 * Ring reduce-scatter over `members` (in ring order) of `pieces[i]` (chunk
 * lists, one per member): at step s member i sends piece (i − s − 1) mod n to
 * member i + 1, which adds it; afterwards member i holds piece i complete.
 */
function ringReduceScatterSteps(members: number[], pieces: number[][]): Transfer[][] {
  const n = members.length;
  const steps: Transfer[][] = [];
  for (let s = 0; s < n - 1; s++) {
    steps.push(members.map((src, i) => ({ src, dst: members[(i + 1) % n]!, chunks: pieces[mod(i - s - 1, n)]!, op: 'reduce' as const })));
  }
  return steps;
}

/** Ring all-gather: member i starts with piece i; at step s it forwards piece (i − s) mod n. */
function ringAllGatherSteps(members: number[], pieces: number[][]): Transfer[][] {
  const n = members.length;
  const steps: Transfer[][] = [];
  for (let s = 0; s < n - 1; s++) {
    steps.push(members.map((src, i) => ({ src, dst: members[(i + 1) % n]!, chunks: pieces[mod(i - s, n)]!, op: 'copy' as const })));
  }
  return steps;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

function range(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}

/** Runs groups' step lists side by side (step s of every group in one step). */
function parallel(groups: Transfer[][][]): Transfer[][] {
  const steps: Transfer[][] = [];
  for (const g of groups) g.forEach((step, s) => (steps[s] ??= []).push(...step));
  return steps;
}

/**
 * Dimension-wise reduce-scatter then all-gather on a grid of `dims` (device
 * id = x + d₁·y + d₁d₂·z): reduce-scatter along dimension 0 within every
 * line, then along dimension 1 on the piece each device now holds, … then
 * all-gather in reverse. One dimension is the plain ring; [k, nodes] is the
 * hierarchical algorithm.
 */
function dimensionalSchedule(dims: number[], phases: 'reduce-scatter' | 'all-gather' | 'all-reduce'): Schedule {
  const devices = dims.reduce((p, d) => p * d, 1);
  // Chunks in the order the successive splits cut them (dimension 0 most
  // significant), so that device id ends up owning chunk id.
  const order = range(devices).map((p) => {
    let rest = p;
    let chunk = 0;
    for (let i = dims.length - 1; i >= 0; i--) {
      chunk += (rest % dims[i]!) * stride(dims, i);
      rest = Math.floor(rest / dims[i]!);
    }
    return chunk;
  });
  // The piece a device owns after reduce-scattering dimensions < k.
  const pieceOf = (id: number, k: number): number[] => {
    let piece = order;
    for (let i = 0; i < k; i++) {
      const c = Math.floor(id / stride(dims, i)) % dims[i]!;
      const size = piece.length / dims[i]!;
      piece = piece.slice(c * size, (c + 1) * size);
    }
    return piece;
  };
  const lines = (k: number): number[][] => {
    const result: number[][] = [];
    for (let id = 0; id < devices; id++) {
      if (Math.floor(id / stride(dims, k)) % dims[k]! !== 0) continue;
      result.push(range(dims[k]!).map((c) => id + c * stride(dims, k)));
    }
    return result;
  };
  const split = (piece: number[], parts: number) => range(parts).map((p) => piece.slice((p * piece.length) / parts, ((p + 1) * piece.length) / parts));
  const steps: Transfer[][] = [];
  const dimsIdx = range(dims.length).filter((k) => dims[k]! > 1);
  if (phases !== 'all-gather') {
    for (const k of dimsIdx) steps.push(...parallel(lines(k).map((members) => ringReduceScatterSteps(members, split(pieceOf(members[0]!, k), dims[k]!)))));
  }
  if (phases !== 'reduce-scatter') {
    for (const k of [...dimsIdx].reverse()) steps.push(...parallel(lines(k).map((members) => ringAllGatherSteps(members, split(pieceOf(members[0]!, k), dims[k]!)))));
  }
  return { devices, chunks: devices, steps };
}

function treeSchedule(n: number): Schedule {
  const levels = Math.ceil(Math.log2(n));
  const steps: Transfer[][] = [];
  for (let k = 0; k < levels; k++) {
    const bit = 2 ** k;
    steps.push(range(n).filter((i) => i % (2 * bit) === bit).map((i) => ({ src: i, dst: i - bit, chunks: [0], op: 'reduce' as const })));
  }
  for (let k = levels - 1; k >= 0; k--) {
    const bit = 2 ** k;
    steps.push(range(n).filter((i) => i % (2 * bit) === 0 && i + bit < n).map((i) => ({ src: i, dst: i + bit, chunks: [0], op: 'copy' as const })));
  }
  return { devices: n, chunks: 1, steps };
}

function parameterServerSchedule(n: number): Schedule {
  const others = range(n - 1, 1);
  return {
    devices: n,
    chunks: 1,
    steps: [others.map((i) => ({ src: i, dst: 0, chunks: [0], op: 'reduce' as const })), others.map((i) => ({ src: 0, dst: i, chunks: [0], op: 'copy' as const }))],
  };
}

/** The step-by-step form of an all-reduce algorithm on a system (ring order = device ids). */
export function allReduceSchedule(system: System, algorithm: AllReduceAlgorithm): Schedule {
  const n = system.devices;
  const t = system.topology;
  switch (algorithm) {
    case 'ring':
      return dimensionalSchedule([n], 'all-reduce');
    case 'tree':
      return treeSchedule(n);
    case 'ps':
      return parameterServerSchedule(n);
    case 'torus':
      if (t.kind !== 'torus') throw new Error('torus all-reduce needs a torus');
      return dimensionalSchedule(t.dims, 'all-reduce');
    case 'hier':
      if (t.kind !== 'hier') throw new Error('hierarchical all-reduce needs a hierarchical system');
      return dimensionalSchedule([t.nodeDevices, n / t.nodeDevices], 'all-reduce');
  }
}

/** Reduce-scatter or all-gather with the topology's natural dimension-wise algorithm. */
export function halfSchedule(system: System, which: 'reduce-scatter' | 'all-gather'): Schedule {
  const t = system.topology;
  const dims = t.kind === 'torus' ? t.dims : t.kind === 'hier' ? [t.nodeDevices, system.devices / t.nodeDevices] : [system.devices];
  return dimensionalSchedule(dims, which);
}

// ---------------------------------------------------------------- simulation

export interface SimResult {
  seconds: number;
  steps: number;
  /** Most bytes any device sent. */
  maxBytesSentPerDevice: number;
  /** Bytes over each directed link, per step. */
  linkBytesPerStep: number[][];
  /** Final contributions per device and chunk, as bit masks over devices. */
  holdings: number[][];
}

/**
 * Runs a schedule for a message of `bytes` starting from `initial` holdings
 * (bit masks of device contributions per device and chunk).
 */
export function simulate(network: Network, schedule: Schedule, bytes: number, initial: number[][]): SimResult {
  if (schedule.devices > 30) throw new Error('the reference simulation tracks at most 30 devices');
  const chunkBytes = bytes / schedule.chunks;
  const holdings = initial.map((row) => [...row]);
  const sent = new Array<number>(schedule.devices).fill(0);
  const linkBytesPerStep: number[][] = [];
  let seconds = 0;
  for (const step of schedule.steps) {
    const linkBytes = new Array<number>(network.links.length).fill(0);
    let latency = 0;
    const updates: { dst: number; chunk: number; mask: number; op: Transfer['op'] }[] = [];
    for (const tr of step) {
      const b = tr.chunks.length * chunkBytes;
      const path = network.route(tr.src, tr.dst);
      let pathLatency = 0;
      for (const l of path) {
        linkBytes[l]! += b;
        pathLatency += network.links[l]!.latencySeconds;
      }
      latency = Math.max(latency, pathLatency);
      sent[tr.src]! += b;
      for (const c of tr.chunks) updates.push({ dst: tr.dst, chunk: c, mask: holdings[tr.src]![c]!, op: tr.op });
    }
    for (const u of updates) {
      const row = holdings[u.dst]!;
      if (u.op === 'copy') row[u.chunk] = u.mask;
      else {
        if ((row[u.chunk]! & u.mask) !== 0) throw new Error(`chunk ${u.chunk} on device ${u.dst} would count a contribution twice`);
        row[u.chunk] = row[u.chunk]! | u.mask;
      }
    }
    let transfer = 0;
    linkBytes.forEach((b, l) => (transfer = Math.max(transfer, b / network.links[l]!.bandwidthBytesPerSecond)));
    seconds += latency + transfer;
    linkBytesPerStep.push(linkBytes);
  }
  return { seconds, steps: schedule.steps.length, maxBytesSentPerDevice: Math.max(...sent), linkBytesPerStep, holdings };
}

/** Every device holds its own contribution to every chunk (start of a reduction). */
export function ownContributions(devices: number, chunks: number): number[][] {
  return range(devices).map((d) => new Array<number>(chunks).fill(1 << d));
}

/** Device i holds chunk i complete, nothing else (start of an all-gather). */
export function ownChunkComplete(devices: number): number[][] {
  const full = 2 ** devices - 1;
  return range(devices).map((d) => range(devices).map((c) => (c === d ? full : 0)));
}
