import { lastUse, type BufferCategory, type Schedule } from './schedule.js';

/**
 * Runs a schedule on one compute stream and two copy streams (device to
 * host, host to device; a PCIe link carries both directions at once) and
 * records every allocation and release in device memory.
 *
 * Without offloading a buffer is allocated when the step creating it starts
 * (buffers present before the step at time 0) and released when the last
 * step reading it ends; a step's convolution workspace lives for the step.
 *
 * An offloaded buffer follows vDNN (Rhu et al., MICRO'16): its copy to the
 * host starts with the first forward step reading it and overlaps that
 * step; after the last forward step reading it, compute waits for the copy
 * to finish and the buffer is released. In the backward pass buffers are
 * brought back in the order they are needed, each group (the buffers first
 * needed by the same step) issued one group ahead: when compute reaches
 * the step needing the previous group (the first group when it reaches the
 * backward pass). A prefetched buffer is allocated when its copy is issued and a
 * step waits for the copies it needs. Copies on one stream run one after
 * the other; only the time compute waits is added to the step.
 *
 * Host-resident buffers (the optimizer state, which only the update reads)
 * live in host memory between updates: the step finds them on the device,
 * where the previous step's update wrote them, copies them to the host as
 * it starts (compute does not wait; each is released when its copy ends)
 * and brings them back in need order with the prefetched buffers. Their
 * copies must end before the backward pass begins (the planner checks).
 */
export interface TimelineInput {
  schedule: Schedule;
  /** Seconds of each step. */
  stepSeconds: readonly number[];
  /** Convolution workspace of each step. */
  workspaceBytes: readonly number[];
  /** Buffers moved to the host after the forward pass reads them and back before the backward pass does. */
  offload: ReadonlySet<number>;
  /** Buffers present before the step that stay on the host until their first reader (default none). */
  hostResident?: ReadonlySet<number>;
  /** Effective host-link bandwidth, each direction. */
  linkBytesPerSecond: number;
}

export interface Transfer {
  buffer: number;
  direction: 'offload' | 'prefetch';
  issueSeconds: number;
  startSeconds: number;
  endSeconds: number;
  bytes: number;
}

/** One allocation (bytes > 0) or release (bytes < 0), in the order they happen. */
export interface MemoryEvent {
  seconds: number;
  bytes: number;
  /** Buffer id, or −1 for a step's workspace. */
  buffer: number;
  /** The step under way (−1 before the first). */
  step: number;
  category: BufferCategory | 'workspace';
}

export interface Timeline {
  startSeconds: number[];
  endSeconds: number[];
  transfers: Transfer[];
  events: MemoryEvent[];
  /** Sum of the steps' own times. */
  computeSeconds: number;
  /** End of the last step (and of every copy). */
  totalSeconds: number;
  peakBytes: number;
  /** Index into `events` of the allocation that reached the peak. */
  peakEvent: number;
  /** Time-weighted average over the step. */
  avgBytes: number;
}

/** Where an offloaded buffer is read: its forward readers, and the first step after the forward pass that reads it. */
export interface OffloadUse {
  firstForward: number;
  lastForward: number;
  firstLater: number;
}

export function offloadUse(schedule: Schedule, buffer: number): OffloadUse | undefined {
  const readers = schedule.buffers[buffer]!.readers;
  const forward = readers.filter((s) => schedule.steps[s]!.phase === 'forward');
  const firstLater = readers.find((s) => schedule.steps[s]!.phase !== 'forward');
  if (!forward.length || firstLater === undefined) return undefined;
  return { firstForward: forward[0]!, lastForward: forward[forward.length - 1]!, firstLater };
}

function byStep(n: number): number[][] {
  return Array.from({ length: n }, () => []);
}

export function simulate(input: TimelineInput): Timeline {
  const { schedule, stepSeconds, workspaceBytes, offload, linkBytesPerSecond } = input;
  const hostResident = input.hostResident ?? new Set<number>();
  const { steps, buffers } = schedule;
  const n = steps.length;
  if ((offload.size || hostResident.size) && !(linkBytesPerSecond > 0)) throw new Error('offloading needs a host link');

  // when each offloaded buffer leaves and comes back
  const offloadAt = byStep(n), releaseAt = byStep(n), needAt = byStep(n), prefetchAt = byStep(n);
  for (const b of offload) {
    const u = offloadUse(schedule, b);
    if (!u) throw new Error(`buffer ${buffers[b]!.name} is not read both in the forward pass and after it`);
    offloadAt[u.firstForward]!.push(b);
    releaseAt[u.lastForward]!.push(b);
    needAt[u.firstLater]!.push(b);
  }
  for (const b of hostResident) {
    const first = buffers[b]!.readers[0];
    if (buffers[b]!.producer >= 0 || first === undefined || steps[first]!.phase === 'forward') throw new Error(`buffer ${buffers[b]!.name} is not present before the step and read only after the forward pass`);
    needAt[first]!.push(b);
  }
  const groups = needAt.flatMap((need, s) => (need.length ? [s] : []));
  const backwardStart = steps.findIndex((s) => s.phase !== 'forward');
  groups.forEach((first, g) => {
    const issue = g === 0 ? backwardStart : groups[g - 1]!;
    prefetchAt[issue]!.push(...needAt[first]!);
  });
  const freeAt = byStep(n);
  for (const b of buffers) if (!b.persistent && !b.output && lastUse(b) >= 0) freeAt[lastUse(b)]!.push(b.id);

  const events: MemoryEvent[] = [];
  const live = new Set<number>();
  let step = -1;
  const alloc = (b: number, seconds: number) => {
    live.add(b);
    events.push({ seconds, bytes: buffers[b]!.bytes, buffer: b, step, category: buffers[b]!.category });
  };
  const release = (b: number, seconds: number) => {
    if (!live.delete(b)) return;
    events.push({ seconds, bytes: -buffers[b]!.bytes, buffer: b, step, category: buffers[b]!.category });
  };
  // releases due when a copy to the host ends, kept in time order among the other events
  const pending: { buffer: number; seconds: number }[] = [];
  const releaseDue = (until: number) => {
    pending.sort((a, b) => a.seconds - b.seconds);
    while (pending.length && pending[0]!.seconds <= until) {
      const p = pending.shift()!;
      release(p.buffer, p.seconds);
    }
  };
  for (const b of buffers) if (b.producer < 0) alloc(b.id, 0);

  const transfers: Transfer[] = [];
  const copy = (b: number, direction: Transfer['direction'], issue: number, streamFree: number): Transfer => {
    const bytes = buffers[b]!.bytes;
    const start = Math.max(issue, streamFree);
    const t: Transfer = { buffer: b, direction, issueSeconds: issue, startSeconds: start, endSeconds: start + bytes / linkBytesPerSecond, bytes };
    transfers.push(t);
    return t;
  };
  const offloaded = new Map<number, Transfer>();
  const prefetched = new Map<number, Transfer>();
  let toHostFree = 0, toDeviceFree = 0;
  for (const b of hostResident) {
    const c = copy(b, 'offload', 0, toHostFree);
    toHostFree = c.endSeconds;
    pending.push({ buffer: b, seconds: c.endSeconds });
  }
  const startSeconds: number[] = [], endSeconds: number[] = [];
  let t = 0, computeSeconds = 0;
  for (step = 0; step < n; step++) {
    releaseDue(t);
    for (const b of prefetchAt[step]!) {
      if (pending.some((p) => p.buffer === b)) throw new Error(`buffer ${buffers[b]!.name} is needed back before its copy to the host ends`);
      alloc(b, t);
      const c = copy(b, 'prefetch', t, toDeviceFree);
      toDeviceFree = c.endSeconds;
      prefetched.set(b, c);
    }
    let start = t;
    for (const b of needAt[step]!) start = Math.max(start, prefetched.get(b)?.endSeconds ?? start);
    releaseDue(start);
    for (const b of offloadAt[step]!) {
      const c = copy(b, 'offload', start, toHostFree);
      toHostFree = c.endSeconds;
      offloaded.set(b, c);
    }
    for (const b of steps[step]!.allocs) alloc(b, start);
    const ws = workspaceBytes[step]!;
    if (ws > 0) events.push({ seconds: start, bytes: ws, buffer: -1, step, category: 'workspace' });
    const end = start + stepSeconds[step]!;
    computeSeconds += stepSeconds[step]!;
    releaseDue(end);
    if (ws > 0) events.push({ seconds: end, bytes: -ws, buffer: -1, step, category: 'workspace' });
    startSeconds.push(start);
    endSeconds.push(end);
    t = end;
    for (const b of freeAt[step]!) release(b, end);
    for (const b of releaseAt[step]!) t = Math.max(t, offloaded.get(b)!.endSeconds);
    releaseDue(t);
    for (const b of releaseAt[step]!) release(b, t);
  }
  step = n;
  releaseDue(Infinity);
  const totalSeconds = t;
  for (const b of [...live]) release(b, totalSeconds);

  let level = 0, peakBytes = 0, peakEvent = -1, area = 0;
  events.forEach((e, i) => {
    if (i > 0) area += level * (e.seconds - events[i - 1]!.seconds);
    level += e.bytes;
    if (level > peakBytes) {
      peakBytes = level;
      peakEvent = i;
    }
  });
  return { startSeconds, endSeconds, transfers, events, computeSeconds, totalSeconds, peakBytes, peakEvent, avgBytes: totalSeconds > 0 ? area / totalSeconds : peakBytes };
}
