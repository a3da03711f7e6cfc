import { describe, expect, it } from 'vitest';
import type { Device } from '../device/device.js';
import { loadGraph } from '../workload/load.js';
import { paramCount } from '../workload/graph.js';
import { graphTotals, nodeCounts } from '../workload/counts.js';
import { stepProfileFromGraph } from './from-graph.js';
import { backwardSeconds, forwardSeconds, gradientBytes } from './profile.js';

const device: Device = { name: 'test', peakFlopsPerSecond: { fp32: 125e12 }, memoryBandwidthBytesPerSecond: 900e9, memoryCapacityBytes: 16e9 };

describe('step profile from a training graph', () => {
  const graph = loadGraph('resnet50', { batch: 2, mode: 'train' });
  const p = stepProfileFromGraph(graph, device);

  it('carries every weight gradient once, in 32-bit floats', () => {
    const elements = p.layers.reduce((s, l) => s + l.gradientElements, 0);
    expect(elements).toBe(paramCount(graph));
    expect(gradientBytes(p)).toBe(4 * paramCount(graph));
    // ResNet-50: 25.6 M parameters, about 102 MB of gradients
    expect(gradientBytes(p) / 1e6).toBeCloseTo(102.2, 0);
  });

  it('times the stem convolution on the roofline (hand count)', () => {
    const conv1 = p.layers.find((l) => l.name === 'conv1')!;
    expect(conv1.layerClass).toBe('convolution');
    // batch 2: MACs 2·112·112·64·3·7·7 → 472 MFLOP → 3.8 µs at 125 TFLOPS;
    // bytes: input 2·3·224·224·4 + weight 64·3·7·7·4 + output 2·64·112·112·4 → 8.5 µs at 900 GB/s: memory bound
    const bytes = 2 * 3 * 224 * 224 * 4 + 64 * 3 * 49 * 4 + 2 * 64 * 112 * 112 * 4;
    expect(conv1.forwardSeconds).toBeCloseTo(bytes / 900e9, 15);
    expect(conv1.outputBytes).toBe(2 * 64 * 112 * 112 * 4);
  });

  it('charges every backward node to a layer and every update node to the optimizer step', () => {
    const seconds = (phase: string) => graph.nodes.filter((n) => n.phase === phase).reduce((s, n) => s + Math.max(nodeCounts(graph, n).flops / 125e12, (nodeCounts(graph, n).bytesRead + nodeCounts(graph, n).bytesWritten) / 900e9), 0);
    expect(forwardSeconds(p)).toBeCloseTo(seconds('forward'), 12);
    expect(backwardSeconds(p)).toBeCloseTo(seconds('backward'), 12);
    expect(p.updateSeconds).toBeCloseTo(seconds('update'), 12);
    // the first convolution needs only a weight gradient: its backward is about one forward's worth
    const conv1 = p.layers.find((l) => l.name === 'conv1')!;
    expect(conv1.backwardSeconds).toBeGreaterThan(0.5 * conv1.forwardSeconds);
    expect(conv1.backwardSeconds).toBeLessThan(1.5 * conv1.forwardSeconds);
    // a later convolution computes both gradients: about twice its forward
    const conv = p.layers.find((l) => l.name === 'layer3.0.conv2')!;
    expect(conv.backwardSeconds / conv.forwardSeconds).toBeGreaterThan(1.5);
    expect(conv.backwardSeconds / conv.forwardSeconds).toBeLessThan(2.5);
  });

  it('backward does about twice the forward MACs', () => {
    const macs = (phase: string) => graph.nodes.filter((n) => n.phase === phase).reduce((s, n) => s + nodeCounts(graph, n).macs, 0);
    expect(macs('backward') / macs('forward')).toBeGreaterThan(1.9);
    expect(macs('backward') / macs('forward')).toBeLessThan(2.0);
    expect(graphTotals(graph).macs).toBeGreaterThan(0);
  });
});
