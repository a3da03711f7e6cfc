import { describe, expect, it } from 'vitest';
import type { Device } from '../device/device.js';
import { loadDevice } from '../device/load.js';
import { GraphBuilder } from '../workload/builder.js';
import { loadGraph } from '../workload/load.js';
import { toTraining } from '../workload/train/index.js';
import { coverage, profileGraph, quantile, trainingMemory, type GroupRow } from './profile.js';
import { cosineSimilarity, groupBySimilarity, opMix, similarityMatrix } from './similarity.js';

/** A round-number roofline: 1 TFLOP/s fp32, 100 GB/s. */
const DEVICE: Device = { name: 'toy', peakFlopsPerSecond: { fp32: 1e12 }, memoryBandwidthBytesPerSecond: 1e11, memoryCapacityBytes: 1e9 };

/** x [64, 128] → fully connected 256 (weight [256, 128], bias) → ReLU. */
function fcRelu() {
  const g = new GraphBuilder('fc');
  return g.build([g.relu(g.linear(g.input('x', [64, 128]), 256, { name: 'fc' }), 'relu')]);
}

describe('profile on a roofline, by hand', () => {
  const p = profileGraph(fcRelu(), DEVICE);
  // Gemm: 64·256·128 MACs; FLOPs 2·MACs + 64·256 bias adds; reads 4·(64·128 + 256·128 + 256) bytes, writes 4·64·256
  const gemmFlops = 2 * 64 * 256 * 128 + 64 * 256, gemmBytes = 4 * (64 * 128 + 256 * 128 + 256) + 4 * 64 * 256;
  const gemmSeconds = Math.max(gemmFlops / 1e12, gemmBytes / 1e11);
  // ReLU: 1 FLOP per element, reads and writes 64·256 floats
  const reluSeconds = Math.max((64 * 256) / 1e12, (2 * 4 * 64 * 256) / 1e11);

  it('counts each node and models its time as max(FLOPs / peak, bytes / bandwidth)', () => {
    const [gemm, relu] = p.nodes;
    expect(gemm).toMatchObject({ op: 'Gemm', opClass: 'matmul', macs: 64 * 256 * 128, flops: gemmFlops, bound: 'compute', outputShapes: [[64, 256]] });
    expect(gemm!.seconds).toBeCloseTo(gemmSeconds, 15);
    expect(gemm!.intensity).toBeCloseTo(gemmFlops / gemmBytes, 12);
    expect(relu).toMatchObject({ op: 'Relu', bound: 'memory' });
    expect(relu!.seconds).toBeCloseTo(reluSeconds, 15);
    expect(p.totals.seconds).toBeCloseTo(gemmSeconds + reluSeconds, 15);
    expect(p.totals.macs).toBe(64 * 256 * 128);
    expect(p.params).toBe(256 * 128 + 256);
  });

  it('groups by op type and class with time shares, largest first', () => {
    expect(p.byOpType.map((r) => [r.key, r.opClass])).toEqual([['Gemm', 'matmul'], ['Relu', 'activation']]);
    expect(p.byOpType[0]!.timeShare).toBeCloseTo(gemmSeconds / (gemmSeconds + reluSeconds), 12);
    expect(p.byOpClass.map((r) => r.key)).toEqual(['matmul', 'activation']);
    expect(p.byPhase.map((r) => r.key)).toEqual(['forward']);
  });

  it('spreads intensity and the memory-bound share of time', () => {
    expect(p.intensity.nodes).toBe(2);
    expect(p.intensity.min).toBeCloseTo(0.125, 12); // ReLU: 1 FLOP per 8 bytes
    expect(p.intensity.ridgeFlopsPerByte).toBe(10);
    expect(p.intensity.memoryBoundTimeShare).toBeCloseTo(reluSeconds / (gemmSeconds + reluSeconds), 12);
  });
});

describe('coverage and quantiles', () => {
  const row = (key: string, timeShare: number) => ({ key, timeShare }) as GroupRow;
  it('takes the fewest op types, by time, that reach the threshold', () => {
    const rows = [row('Conv', 0.6), row('Relu', 0.25), row('Add', 0.1), row('Pool', 0.05)];
    expect(coverage(rows, 0.9).opTypes).toEqual(['Conv', 'Relu', 'Add']);
    expect(coverage(rows, 0.85).opTypes).toEqual(['Conv', 'Relu']);
    expect(coverage(rows, 0.5).opTypes).toEqual(['Conv']);
  });

  it('interpolates quantiles linearly', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([0, 10], 0.1)).toBeCloseTo(1, 12);
    expect(quantile([], 0.5)).toBe(0);
  });
});

describe('similarity', () => {
  it('is the cosine of op-mix vectors', () => {
    expect(cosineSimilarity({ Conv: 1 }, { Conv: 2 })).toBeCloseTo(1, 12);
    expect(cosineSimilarity({ Conv: 1 }, { MatMul: 1 })).toBe(0);
    expect(cosineSimilarity({ Conv: 1, Relu: 1 }, { Conv: 1 })).toBeCloseTo(Math.SQRT1_2, 12);
    expect(cosineSimilarity({}, { Conv: 1 })).toBe(0);
  });

  it('groups by average linkage, most similar pair first, similar workloads adjacent', () => {
    const sim = [
      [1, 0.1, 0.9, 0.1],
      [0.1, 1, 0.2, 0.8],
      [0.9, 0.2, 1, 0.1],
      [0.1, 0.8, 0.1, 1],
    ];
    const { order, merges } = groupBySimilarity(sim);
    expect(order).toEqual([0, 2, 1, 3]);
    expect(merges.map((m) => [m.left, m.right])).toEqual([[[0], [2]], [[1], [3]], [[0, 2], [1, 3]]]);
    expect(merges[2]!.similarity).toBeCloseTo((0.1 + 0.1 + 0.2 + 0.1) / 4, 12);
  });

  it('finds the VGGs alike and a CNN unlike a language model', () => {
    const device = loadDevice('v100-16gb');
    const mix = (m: string) => opMix(profileGraph(loadGraph(m), device));
    const [vgg16, vgg19, lm] = [mix('vgg16'), mix('vgg'), mix('lstm_lm')];
    const m = similarityMatrix([vgg16, vgg19, lm]);
    expect(m[0]![0]).toBeCloseTo(1, 12);
    expect(m[0]![1]).toBeGreaterThan(0.95);
    expect(m[0]![2]).toBeLessThan(0.2);
    expect(m[1]![0]).toBe(m[0]![1]);
  });
});


describe('training memory', () => {
  it('counts weights, their gradients, optimizer state and what the backward pass keeps, by hand', () => {
    // [2, 3, 8, 8] → conv 3×3 → 4 ch → ReLU → 2×2 max pool → conv 3×3 → 8 ch → ReLU → flatten → FC 10
    const g = new GraphBuilder('small', { batch: 2 });
    let x = g.input('image', [2, 3, 8, 8]);
    x = g.maxPool(g.relu(g.conv(x, 4, { kernel: 3, pad: 1, bias: true, name: 'conv1' })), { kernel: 2 });
    x = g.relu(g.conv(x, 8, { kernel: 3, pad: 1, name: 'conv2' }));
    const training = toTraining(g.build([g.linear(g.flatten(x), 10, { name: 'fc' })]));
    const params = 4 * 3 * 9 + 4 + 8 * 4 * 9 + 128 * 10 + 10;
    // kept: the image (conv1's weight gradient), the first ReLU's output (its own derivative and the pool's),
    // the pool's output (the pool's derivative, conv2's weight gradient), the second ReLU's output (its derivative
    // and, through the flatten view, the FC weight gradient), the log-probabilities and the int64 labels
    const kept = 4 * (2 * 3 * 8 * 8 + 2 * 4 * 8 * 8 + 2 * 4 * 4 * 4 + 2 * 8 * 4 * 4 + 2 * 10) + 8 * 2;
    expect(trainingMemory(training)).toEqual({ weightBytes: 4 * params, weightGradientBytes: 4 * params, optimizerStateBytes: 4 * params, savedForBackwardBytes: kept });
    expect(profileGraph(training, DEVICE).memory).toEqual(trainingMemory(training));
  });
});
