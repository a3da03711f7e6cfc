import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Device } from '../device/device.js';
import { loadDevice } from '../device/load.js';
import { errorOf } from '../util/test-util.js';
import { GraphBuilder } from '../workload/builder.js';
import type { Graph } from '../workload/graph.js';
import { loadGraph } from '../workload/load.js';
import { toTraining } from '../workload/train/index.js';
import { VIEW_OPS } from '../workload/train/saved.js';
import { convRelu } from '../workload/zoo/layers.js';
import { largestBatch } from './batch.js';
import { baselineOf, comparePolicies, planWith, POLICIES, preparePlanner, runnablePolicies, runPolicy, type Evaluation, type Planner } from './plan.js';
import { lastUse } from './schedule.js';
import { offloadUse } from './timeline.js';

const titanX = loadDevice('titan-x');

/** Peak by brute force: for every step, the bytes of every buffer alive during it plus its workspace. */
function bruteForcePeak(e: Evaluation): number {
  const { buffers, steps } = e.variant.schedule;
  let peak = 0;
  steps.forEach((_, s) => {
    let live = e.workspaceBytes[s]!;
    for (const b of buffers) if (b.producer <= s && (b.persistent || b.output || s <= lastUse(b))) live += b.bytes;
    peak = Math.max(peak, live);
  });
  return peak;
}

/** Replays allocations and releases as an allocator would: each buffer allocated while free, released while allocated. */
function replayPeak(e: Evaluation): number {
  const live = new Map<string, number>();
  let level = 0, peak = 0, last = 0;
  for (const ev of e.timeline.events) {
    expect(ev.seconds).toBeGreaterThanOrEqual(last);
    last = ev.seconds;
    const key = ev.buffer >= 0 ? `b${ev.buffer}` : `ws${ev.step}`;
    if (ev.bytes > 0) {
      expect(live.has(key)).toBe(false);
      live.set(key, ev.bytes);
    } else {
      expect(live.get(key)).toBe(-ev.bytes);
      live.delete(key);
    }
    level += ev.bytes;
    peak = Math.max(peak, level);
  }
  expect(live.size).toBe(0);
  return peak;
}

/** Invariants every plan keeps. */
function checkPlan(p: Planner, e: Evaluation): void {
  const { timeline: t, variant } = e;
  const { schedule } = variant;
  expect(t.peakBytes).toBe(replayPeak(e));
  if (!e.offload.size) expect(t.peakBytes).toBe(bruteForcePeak(e));
  expect(t.peakBytes).toBeLessThanOrEqual(baselineOf(p).networkWideBytes);
  // compute runs one step at a time, in order; the step is at least its compute
  let free = 0, compute = 0;
  schedule.steps.forEach((_, i) => {
    expect(t.startSeconds[i]!).toBeGreaterThanOrEqual(free);
    expect(t.endSeconds[i]! - t.startSeconds[i]!).toBeCloseTo(e.stepSeconds[i]!, 12);
    compute += e.stepSeconds[i]!;
    free = t.endSeconds[i]!;
  });
  expect(t.computeSeconds).toBeCloseTo(compute, 9);
  expect(t.totalSeconds).toBeGreaterThanOrEqual(t.computeSeconds - 1e-12);
  // each offloaded buffer, and the optimizer state kept on the host, leaves once and comes back once; a copy
  // stream carries one copy at a time
  const moved = [...e.offload, ...e.hostState].reduce((s, b) => s + schedule.buffers[b]!.bytes, 0);
  for (const dir of ['offload', 'prefetch'] as const) {
    const copies = t.transfers.filter((c) => c.direction === dir);
    expect(copies.reduce((s, c) => s + c.bytes, 0)).toBe(moved);
    copies.forEach((c, i) => i > 0 && expect(c.startSeconds).toBeGreaterThanOrEqual(copies[i - 1]!.endSeconds - 1e-12));
  }
  // the optimizer state leaves as the step starts, is gone before the backward pass, and is back before the update reads it
  const backwardStart = schedule.steps.findIndex((s) => s.phase !== 'forward');
  for (const b of e.hostState) {
    expect(schedule.buffers[b]!.category).toBe('optimizer-state');
    const out = t.transfers.find((c) => c.buffer === b && c.direction === 'offload')!;
    expect(out.issueSeconds).toBe(0);
    expect(out.endSeconds).toBeLessThanOrEqual(t.startSeconds[backwardStart]! + 1e-12);
    expect(t.transfers.find((c) => c.buffer === b && c.direction === 'prefetch')!.endSeconds).toBeLessThanOrEqual(t.startSeconds[schedule.buffers[b]!.readers[0]!]! + 1e-12);
  }
  // a buffer leaves after it is written and is back before the backward pass reads it
  for (const b of e.offload) {
    const use = offloadUse(schedule, b)!;
    const [out, back] = [t.transfers.find((c) => c.buffer === b && c.direction === 'offload')!, t.transfers.find((c) => c.buffer === b && c.direction === 'prefetch')!];
    expect(out.startSeconds).toBeGreaterThanOrEqual(t.startSeconds[use.firstForward]!);
    expect(back.endSeconds).toBeLessThanOrEqual(t.startSeconds[use.firstLater]! + 1e-12);
    expect(t.startSeconds[use.lastForward + 1]!).toBeGreaterThanOrEqual(out.endSeconds - 1e-12);
  }
}

function checkAllPolicies(graph: Graph, device: Device, capacityBytes?: number): void {
  const p = preparePlanner(graph, device, { capacityBytes });
  const base = baselineOf(p);
  for (const algorithm of ['fast', 'lean'] as const) {
    const none = runPolicy(p, 'none', algorithm);
    for (const policy of runnablePolicies(p)) {
      const e = runPolicy(p, policy, algorithm);
      checkPlan(p, e);
      expect(e.timeline.totalSeconds).toBeGreaterThanOrEqual(base.evaluation.timeline.totalSeconds - 1e-12);
      // offloading only shortens lifetimes
      if (policy === 'conv' || policy === 'all') expect(e.timeline.peakBytes).toBeLessThanOrEqual(none.timeline.peakBytes);
      if (policy.startsWith('recompute+')) expect(e.timeline.peakBytes).toBeLessThanOrEqual(runPolicy(p, 'recompute', algorithm).timeline.peakBytes);
    }
  }
}

function randomChain(layers: { channels: number; kernel: number; pool: boolean }[], image: number, batch: number): Graph {
  const g = new GraphBuilder('random', { batch });
  let x = g.input('image', [batch, 3, image, image]);
  layers.forEach((l, i) => {
    x = convRelu(g, x, l.channels, { kernel: l.kernel, pad: (l.kernel - 1) / 2, name: `c${i}` });
    if (l.pool && g.shape(x)[2]! >= 2) x = g.maxPool(x, { kernel: 2, stride: 2, name: `p${i}` });
  });
  return toTraining(g.build([g.linear(g.flatten(x, 1, 'flat'), 5, { name: 'fc' })]));
}

describe('plans: invariants and a brute-force peak', () => {
  it('holds for zoo models under every policy', () => {
    checkAllPolicies(loadGraph('alexnet', { batch: 4, mode: 'train' }), titanX);
    checkAllPolicies(loadGraph('googlenet', { batch: 2, mode: 'train' }), titanX, 200e6);
    checkAllPolicies(loadGraph('resnet18', { batch: 2, mode: 'train', optimizer: 'adam' }), titanX, 300e6);
    checkAllPolicies(loadGraph('gpt2', { batch: 1, seqLen: 32, mode: 'train' }), titanX, 1.5e9);
  });

  it('holds for random convolution chains', () => {
    const layer = fc.record({ channels: fc.integer({ min: 1, max: 8 }), kernel: fc.constantFrom(1, 3, 5), pool: fc.boolean() });
    fc.assert(
      fc.property(fc.array(layer, { minLength: 1, maxLength: 5 }), fc.integer({ min: 4, max: 12 }), fc.integer({ min: 1, max: 3 }), (layers, image, batch) => {
        checkAllPolicies(randomChain(layers, image, batch), titanX, 1e5);
      }),
      { numRuns: 25, seed: 7 },
    );
  });

  it('never writes in place over a tensor that is read later', () => {
    for (const [model, o] of [['googlenet', { batch: 2 }], ['resnet18', { batch: 2 }], ['gpt2', { batch: 1, seqLen: 16 }], ['vgg16', { batch: 1 }]] as const) {
      const { schedule } = preparePlanner(loadGraph(model, { ...o, mode: 'train' }), titanX).plain;
      const producer = new Map<string, number>(), lastRead = new Map<string, number>(), viewOf = new Map<string, string>();
      for (const step of schedule.steps) {
        for (const t of step.node.inputs) if (t) lastRead.set(t, step.index);
        step.node.outputs.forEach((t, j) => {
          if (!t) return;
          producer.set(t, step.index);
          if (j === 0 && VIEW_OPS.has(step.node.op)) viewOf.set(t, viewOf.get(step.node.inputs[0]!) ?? step.node.inputs[0]!);
        });
      }
      for (const b of schedule.buffers) {
        // the tensors written into the buffer, in order; each must be dead (with its views) when the next is written
        const owners = b.tensors.filter((t) => !viewOf.has(t)).sort((x, y) => (producer.get(x) ?? -1) - (producer.get(y) ?? -1));
        owners.slice(1).forEach((next, i) => {
          const prev = owners[i]!;
          const reads = b.tensors.filter((t) => t === prev || viewOf.get(t) === prev).map((t) => lastRead.get(t) ?? -1);
          expect(Math.max(...reads)).toBeLessThanOrEqual(producer.get(next)!);
        });
      }
    }
  });

  it('keeps the optimizer state on the device when its copy to the host would outlast the forward pass', () => {
    // at batch 16 AlexNet's forward pass (about 4 ms) is shorter than the momentum's 19 ms copy
    const plan = planWith(preparePlanner(loadGraph('alexnet', { batch: 16, mode: 'train' }), titanX), 'all');
    expect(plan.hostStateBytes).toBe(0);
    expect(plan.peak.breakdown['optimizer-state']).toBe(61_100_840 * 4);
  });

  it('reports offloaded bytes as the sum of the offloaded buffers', () => {
    const plan = planWith(preparePlanner(loadGraph('alexnet', { batch: 128, mode: 'train' }), titanX), 'all');
    expect(plan.offloaded.length).toBeGreaterThan(0);
    expect(plan.offloadedBytes).toBe(plan.offloaded.reduce((s, o) => s + o.bytes, 0));
    // momentum: one float per parameter (61,100,840) goes to the host and back as well: 244 MB, 19 ms over the
    // 12.8 GB/s link, shorter than the forward pass at batch 128 (about 0.71 GMACs × 2 × 128 / 6.1 TFLOPS = 30 ms)
    expect(plan.hostStateBytes).toBe(61_100_840 * 4);
    expect(plan.linkBytes).toBe(2 * (plan.offloadedBytes + plan.hostStateBytes));
    expect(plan.stepSeconds).toBeGreaterThanOrEqual(plan.computeSeconds);
  });
});

describe('vDNN_dyn', () => {
  const graph = loadGraph('vgg16', { batch: 32, mode: 'train' });

  it('keeps everything on the device when it fits', () => {
    const plan = planWith(preparePlanner(graph, titanX, { capacityBytes: 1e12 }), 'dyn');
    expect(plan.offload).toBe('none');
    expect(plan.leanConvolutions).toBe(0);
    expect(plan.slowdown).toBe(0);
  });

  it('is the fastest of none, conv and all that fits, and falls back to memory-lean convolutions', () => {
    // at its roofline the Titan X runs FFT convolutions, whose workspaces set the peak
    const titanX = { ...loadDevice('titan-x'), efficiency: undefined };
    const free = preparePlanner(graph, titanX);
    const none = planWith(free, 'none'), all = planWith(free, 'all'), allLean = planWith(free, 'all', 'lean');
    const capacities = [none.peakBytes - 1, all.peakBytes - 1, (allLean.peakBytes + all.peakBytes) / 2, allLean.peakBytes];
    for (const capacityBytes of capacities) {
      const p = preparePlanner(graph, titanX, { capacityBytes });
      const dyn = planWith(p, 'dyn');
      expect(dyn.fits).toBe(true);
      const fitting = comparePolicies(p).filter((s) => ['none', 'conv', 'all'].includes(s.policy) && s.fits);
      if (fitting.length) expect(dyn.stepSeconds).toBe(Math.min(...fitting.map((s) => s.stepSeconds)));
      else expect(dyn.leanConvolutions).toBeGreaterThan(0);
    }
    expect(planWith(preparePlanner(graph, titanX, { capacityBytes: allLean.peakBytes - 1 }), 'dyn').fits).toBe(false);
  });
});

describe('devices and time sources', () => {
  it('offloading needs a host link', () => {
    const cpu = loadDevice('cpu');
    const p = preparePlanner(loadGraph('alexnet', { batch: 2, mode: 'train' }), cpu);
    expect(runnablePolicies(p)).toEqual(['none', 'recompute']);
    for (const policy of POLICIES.filter((x) => x !== 'none' && x !== 'recompute')) {
      expect(errorOf(() => runPolicy(p, policy)).message).toBe(`policy ${policy} offloads to the host, and device cpu has no host link`);
    }
  });
});

describe('largest batch', () => {
  it('agrees with a linear scan', () => {
    const build = (batch: number) => loadGraph('alexnet', { batch, mode: 'train' });
    const capacityBytes = planWith(preparePlanner(build(6), titanX), 'none').peakBytes + 1;
    const fits = (batch: number) => runPolicy(preparePlanner(build(batch), titanX, { capacityBytes }), 'none').fits;
    let scan = 0;
    while (fits(scan + 1)) scan++;
    expect(scan).toBeGreaterThanOrEqual(6);
    expect(largestBatch(build, titanX, { capacityBytes, policy: 'none' })).toBe(scan);
  });

  it('is 0 when not even one sample fits', () => {
    expect(largestBatch((batch) => loadGraph('alexnet', { batch, mode: 'train' }), titanX, { capacityBytes: 1e6, policy: 'dyn' })).toBe(0);
  });
});
