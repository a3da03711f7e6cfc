import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allGather, ringAllReduce } from './collectives.js';
import { DEFAULT_COMPRESSION } from './compress/compressors.js';
import { DEFAULT_WIRE } from './compress/wire.js';
import { exchangeCost, type ExchangeCost, type ExchangeSpec } from './exchange.js';
import { subgroup } from './groups.js';
import type { LayerProfile, StepProfile } from './profile.js';
import { balancedPartition, overlapBackward, stepTime, type ParallelConfig } from './step.js';
import { makeSystem, type Link } from './system.js';

const link: Link = { bandwidthBytesPerSecond: 1e9, latencySeconds: 0 };
const plain: ExchangeSpec = { method: 'none', options: DEFAULT_COMPRESSION, wire: DEFAULT_WIRE, algorithm: 'ring', exchange: 'allgather' };

function layer(name: string, o: Partial<LayerProfile>): LayerProfile {
  return { name, layerClass: 'matmul', forwardSeconds: 0, backwardSeconds: 0, gradientElements: (o.gradientBytes ?? 0) / 4, gradientBytes: 0, outputBytes: 0, ...o };
}

function profile(layers: LayerProfile[], updateSeconds = 0): StepProfile {
  return { model: 'toy', batch: 8, layers, updateSeconds, memoryBytesPerSecond: 1e12, source: 'test' };
}

const dp = (bucketBytes = 0, exchange = plain): ParallelConfig => ({ mode: 'dp', tensorParallel: 1, stages: 1, microbatches: 1, bucketBytes, exchange });

const timed = (seconds: number): ExchangeCost => ({ seconds, networkSeconds: seconds, codecSeconds: 0, bytesSent: 0, algorithm: 'allreduce' });

describe('gradient exchange overlapped with backward', () => {
  const layers = [layer('a', { gradientBytes: 100 }), layer('b', {}), layer('c', { gradientBytes: 100 })];
  const backward = [2, 2, 2];

  it('starts a bucket when its last gradient is ready (backward runs last layer first)', () => {
    // c ready at 2, sent 2→3; a ready at 6, sent 6→7
    const o = overlapBackward(layers, backward, 0, (b) => timed(b.reduce((s, l) => s + l.gradientBytes, 0) / 100));
    expect(o.end).toBe(7);
    expect(o.commSeconds).toBe(2);
  });

  it('one big bucket waits for the whole backward', () => {
    const o = overlapBackward(layers, backward, 1000, (b) => timed(b.reduce((s, l) => s + l.gradientBytes, 0) / 100));
    expect(o.end).toBe(8);
  });

  it('a slow network queues the buckets', () => {
    // c: 2→7; a ready at 6 but the network is busy until 7: 7→12
    const o = overlapBackward(layers, backward, 0, () => timed(5));
    expect(o.end).toBe(12);
  });
});

describe('data-parallel step', () => {
  it('adds only the exchange left after backward; efficiency is T1 / step', () => {
    const S = 4e6;
    const p = profile([layer('x', { forwardSeconds: 1e-3, backwardSeconds: 2e-3, gradientBytes: S })], 5e-4);
    const sys = makeSystem({ devices: 4, topology: 'ring', link });
    const r = stepTime(p, sys, dp());
    const ar = ringAllReduce(4, S, link).seconds; // 2·3/4·4 MB / 1 GB/s = 6 ms
    expect(ar).toBeCloseTo(6e-3, 12);
    expect(r.stepSeconds).toBeCloseTo(1e-3 + 2e-3 + ar + 5e-4, 12);
    expect(r.exposedCommSeconds).toBeCloseTo(ar, 12);
    expect(r.hiddenCommSeconds).toBeCloseTo(0, 12);
    expect(r.scalingEfficiency).toBeCloseTo(3.5e-3 / r.stepSeconds, 12);
    expect(r.samplesPerSecond).toBeCloseTo((4 * 8) / r.stepSeconds, 6);
  });

  it('hides the first layers’ exchange behind the backward of the layers before them', () => {
    // two layers; the last one's gradient (1 MB, 1.5 ms on 4-ring) hides behind the first's 2 ms backward
    const p = profile([layer('first', { forwardSeconds: 1e-3, backwardSeconds: 2e-3, gradientBytes: 1e6 }), layer('last', { forwardSeconds: 1e-3, backwardSeconds: 2e-3, gradientBytes: 1e6 })]);
    const r = stepTime(p, makeSystem({ devices: 4, topology: 'ring', link }), dp());
    const ar = ringAllReduce(4, 1e6, link).seconds;
    expect(r.stepSeconds).toBeCloseTo(2e-3 + 4e-3 + ar, 12);
    expect(r.hiddenCommSeconds).toBeCloseTo(ar, 12);
    expect(r.exposedCommSeconds).toBeCloseTo(ar, 12);
  });

  it('one device communicates nothing and is 100% efficient', () => {
    const p = profile([layer('x', { forwardSeconds: 1, backwardSeconds: 2, gradientBytes: 1e9 })]);
    const r = stepTime(p, makeSystem({ devices: 1, topology: 'switch', link }), dp(0, { ...plain, method: 'adacomp' }));
    expect(r.stepSeconds).toBe(3);
    expect(r.scalingEfficiency).toBe(1);
  });
});

describe('compressed exchange', () => {
  it('all-gathers 1-bit messages and pays encode and decode passes at memory bandwidth', () => {
    const n = 1e6;
    const l = layer('fc', { gradientBytes: 4 * n, gradientElements: n });
    const sys = makeSystem({ devices: 4, topology: 'switch', link });
    const c = exchangeCost(sys, [l], { ...plain, method: 'onebit' }, 1e11);
    const payload = (n + 64) / 8;
    const net = allGather(sys, 4 * payload).seconds; // 3 steps of one payload
    expect(net).toBeCloseTo((3 * payload) / 1e9, 12);
    // encode: 4 passes over 4 MB; decode: 3 received messages, each a read-modify-write of the 4 MB sum
    const codec = (4 * 4e6 + 3 * 2 * 4e6) / 1e11;
    expect(c.networkSeconds).toBeCloseTo(net, 12);
    expect(c.codecSeconds).toBeCloseTo(codec, 12);
    expect(c.seconds).toBeCloseTo(net + codec, 12);
  });

  it('re-compressing hop by hop sends a ring reduce-scatter and all-gather of the compressed size', () => {
    const n = 1e6;
    const l = layer('fc', { gradientBytes: 4 * n, gradientElements: n });
    const sys = makeSystem({ devices: 4, topology: 'ring', link });
    const c = exchangeCost(sys, [l], { ...plain, method: 'qsgd', exchange: 'recompress' }, 1e11);
    // QSGD s = 4: 4 bits per element and a 32-bit norm per 512 elements
    const payload = (4 * n + 32 * Math.ceil(n / 512)) / 8;
    expect(c.networkSeconds).toBeCloseTo(ringAllReduce(4, payload, link).seconds, 12);
    // encode 2 passes; 3/4 of the gradient decoded, summed and re-encoded (4 passes); one final decode pass
    expect(c.codecSeconds).toBeCloseTo(((2 + 0.75 * 4 + 1) * 4e6) / 1e11, 12);
  });

  it('AdaComp sends 40× less for convolutions and 200× less for fully connected layers (published ratios)', () => {
    const conv = layer('conv', { layerClass: 'convolution', gradientBytes: 4e6, gradientElements: 1e6 });
    const fcl = layer('fc', { gradientBytes: 4e6, gradientElements: 1e6 });
    const sys = makeSystem({ devices: 2, topology: 'switch', link });
    expect(exchangeCost(sys, [conv], { ...plain, method: 'adacomp' }, 1e30).networkSeconds).toBeCloseTo(4e6 / 40 / 1e9, 12);
    expect(exchangeCost(sys, [fcl], { ...plain, method: 'adacomp' }, 1e30).networkSeconds).toBeCloseTo(4e6 / 200 / 1e9, 12);
  });
});

describe('sparse exchanges', () => {
  const n = 1e6;
  const fcl = layer('fc', { gradientBytes: 4 * n, gradientElements: n });
  // top-k at 1%: 10,000 of 10⁶ elements as 32-bit values, positions as a list of 20-bit indices (cheaper than a
  // 10⁶-bit map) plus 2 format bits, and a 32-bit count
  const message = (32 + 10_000 * 20 + 2 + 10_000 * 32) / 8;

  it('gTop-k: six rounds of one message on a switch of 8, encode, four passes per merge, one dense write', () => {
    const sys = makeSystem({ devices: 8, topology: 'switch', link: { bandwidthBytesPerSecond: 1e9, latencySeconds: 1e-6 } });
    const c = exchangeCost(sys, [fcl], { ...plain, method: 'topk', exchange: 'gtopk' }, 1e11);
    expect(c.algorithm).toBe('gtopk');
    expect(c.networkSeconds).toBeCloseTo(6 * (1e-6 + message / 1e9), 12);
    // top-k encodes in 6 passes over the 4 MB gradient; 3 merges of 4 message passes; the result written dense
    expect(c.codecSeconds).toBeCloseTo((6 * 4e6 + 3 * 4 * message + 4e6) / 1e11, 12);
  });

  it('auto takes the cheapest exchange per bucket and names it', () => {
    const sys = makeSystem({ devices: 1024, topology: 'switch', link: { bandwidthBytesPerSecond: 12.5e9, latencySeconds: 5e-6 } });
    const spec = { ...plain, method: 'topk' as const, exchange: 'auto' as const };
    const auto = exchangeCost(sys, [fcl], spec, 1e12);
    const each = (['allgather', 'sparcml', 'gtopk'] as const).map((exchange) => exchangeCost(sys, [fcl], { ...spec, exchange }, 1e12));
    expect(auto.seconds).toBe(Math.min(...each.map((e) => e.seconds)));
    // 1,024 messages of 65 kB all-gathered take 67 MB per device; gTop-k 20 rounds of one message
    expect(auto.algorithm).toBe('gtopk');
    expect(each[0]!.networkSeconds).toBeCloseTo((1023 * (5e-6 + message / 12.5e9)), 9);
  });

  it('hierarchical: a dense reduce-scatter and all-gather inside the node around the compressed exchange across nodes', () => {
    const sys = makeSystem({ devices: 16, topology: 'hier', link, nodeDevices: 4, intraLink: { bandwidthBytesPerSecond: 8e9, latencySeconds: 0 } });
    const spec = { ...plain, method: 'topk' as const, exchange: 'hier' as const };
    const c = exchangeCost(sys, [fcl], spec, 1e11);
    // inside: 3 steps of 1 MB each way at 8 GB/s; across: 4 nodes exchange each device's quarter, 250,000 elements
    const inside = (2 * 3 * 1e6) / 8e9;
    const across = exchangeCost(subgroup(sys, 4, 'outer'), [fcl], { ...spec, exchange: 'auto' }, 1e11, 1 / 4);
    expect(c.algorithm).toBe('hier');
    expect(c.networkSeconds).toBeCloseTo(inside + across.networkSeconds, 12);
    expect(c.codecSeconds).toBe(across.codecSeconds);
  });

  it('refuses an exchange the method or topology cannot run', () => {
    const sw = makeSystem({ devices: 4, topology: 'switch', link });
    expect(() => exchangeCost(sw, [fcl], { ...plain, method: 'onebit', exchange: 'gtopk' }, 1e11)).toThrow(/--exchange gtopk needs a sparse compression method/);
    expect(() => exchangeCost(sw, [fcl], { ...plain, method: 'topk', exchange: 'hier' }, 1e11)).toThrow(/--exchange hier needs the hier topology/);
  });
});

describe('pipeline parallel', () => {
  it('has a GPipe bubble of (p − 1)/(m + p − 1) when stages balance and sends cost nothing', () => {
    const layers = Array.from({ length: 8 }, (_, i) => layer(`l${i}`, { forwardSeconds: 1, backwardSeconds: 2 }));
    for (const [p, m] of [[4, 8], [2, 1], [8, 32]] as const) {
      // a batch of 32 samples, enough for every micro-batch count here
      const r = stepTime({ ...profile(layers), batch: 32 }, makeSystem({ devices: p, topology: 'switch', link }), { ...dp(), mode: 'pp', stages: p, microbatches: m });
      const slot = (24 / p) / m;
      expect(r.stepSeconds).toBeCloseTo((m + p - 1) * slot, 12);
      expect(r.bubbleSeconds / r.stepSeconds).toBeCloseTo((p - 1) / (m + p - 1), 12);
      expect(r.scalingEfficiency).toBeCloseTo(m / (m + p - 1), 12);
    }
  });

  it('refuses more micro-batches than samples', () => {
    const layers = [layer('a', { forwardSeconds: 1, backwardSeconds: 2 }), layer('b', { forwardSeconds: 1, backwardSeconds: 2 })];
    const sys = makeSystem({ devices: 2, topology: 'switch', link });
    // the toy profile's batch is 8
    expect(stepTime(profile(layers), sys, { ...dp(), mode: 'pp', stages: 2, microbatches: 8 }).pipelineStages).toBe(2);
    expect(() => stepTime(profile(layers), sys, { ...dp(), mode: 'pp', stages: 2, microbatches: 9 })).toThrow(/9 micro-batches do not fit a batch of 8/);
  });

  it('adds activation sends between stages to every slot', () => {
    const layers = [layer('a', { forwardSeconds: 1, backwardSeconds: 2, outputBytes: 4e9 }), layer('b', { forwardSeconds: 1, backwardSeconds: 2 })];
    const r = stepTime(profile(layers), makeSystem({ devices: 2, topology: 'switch', link }), { ...dp(), mode: 'pp', stages: 2, microbatches: 4 });
    // per micro-batch: 3/4 s of work and 1 GB to send (1 s) forward, and its gradient back
    expect(r.stepSeconds).toBeCloseTo(5 * (0.75 + 1), 9);
  });

  it('cuts layers into contiguous stages minimising the slowest (agrees with trying every cut)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 9 }), fc.integer({ min: 1, max: 4 }), (costs, parts) => {
        fc.pre(parts <= costs.length);
        const starts = balancedPartition(costs, parts);
        const worst = (s: number[]) => Math.max(...s.map((start, j) => costs.slice(start, s[j + 1] ?? costs.length).reduce((a, b) => a + b, 0)));
        let best = Infinity;
        const search = (from: number, left: number, acc: number[]) => {
          if (left === 0) return void (best = Math.min(best, worst(acc)));
          for (let s = from; s <= costs.length - left; s++) search(s + 1, left - 1, [...acc, s]);
        };
        search(1, parts - 1, [0]);
        expect(starts[0]).toBe(0);
        expect(worst(starts)).toBe(best);
      }),
    );
  });
});

describe('tensor parallel', () => {
  it('splits the work t ways and all-reduces each layer pair’s outputs forward and backward', () => {
    const out = 2e6;
    const layers = [layer('col', { forwardSeconds: 4e-3, backwardSeconds: 8e-3, gradientBytes: 1e3, outputBytes: out }), layer('row', { forwardSeconds: 4e-3, backwardSeconds: 8e-3, gradientBytes: 1e3, outputBytes: out })];
    const sys = makeSystem({ devices: 2, topology: 'switch', link });
    const r = stepTime(profile(layers), sys, { ...dp(), mode: 'tp', tensorParallel: 2 });
    const ar = ringAllReduce(2, out, link).seconds; // 2 MB·(1/2)·2 / 1 GB/s = 2 ms
    expect(r.stepSeconds).toBeCloseTo(24e-3 / 2 + 2 * ar, 12);
    expect(r.tensorParallel).toBe(2);
    expect(r.dataParallel).toBe(1);
    expect(r.scalingEfficiency).toBeCloseTo(24e-3 / (2 * r.stepSeconds), 12);
  });
});

describe('device groups', () => {
  const fast: Link = { bandwidthBytesPerSecond: 8e9, latencySeconds: 0 };
  const hier = makeSystem({ devices: 32, topology: 'hier', link, nodeDevices: 8, intraLink: fast });

  it('keeps small inner groups inside a node and spreads outer groups over the NICs', () => {
    expect(subgroup(hier, 4, 'inner')).toEqual({ devices: 4, topology: { kind: 'switch' }, link: fast });
    // 8 groups of 4: a group's members sit 4 apart, two per node
    expect(subgroup(hier, 8, 'outer')).toEqual({ devices: 8, topology: { kind: 'hier', nodeDevices: 2, intraLink: fast }, link });
    // 4 groups of 8 (one per node): one member per node
    expect(subgroup(hier, 4, 'outer')).toEqual({ devices: 4, topology: { kind: 'switch' }, link });
  });

  it('divides a ring’s bandwidth among outer groups that share its links', () => {
    const ring = makeSystem({ devices: 12, topology: 'ring', link: { bandwidthBytesPerSecond: 1e9, latencySeconds: 1e-6 } });
    const g = subgroup(ring, 4, 'outer');
    expect(g.link.bandwidthBytesPerSecond).toBeCloseTo(1e9 / 3, 3);
    expect(g.link.latencySeconds).toBeCloseTo(3e-6, 12);
  });

  it('refuses groups that do not divide the system, and spans whole nodes with larger inner groups', () => {
    expect(() => subgroup(hier, 5, 'inner')).toThrow(/do not split/);
    // 2 groups of 16: each is two whole nodes of 8, keeping the node switch inside and the NICs between
    expect(subgroup(hier, 16, 'inner')).toEqual({ devices: 16, topology: { kind: 'hier', nodeDevices: 8, intraLink: fast }, link });
  });
});
