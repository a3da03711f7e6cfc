import { describe, expect, it } from 'vitest';
import type { Device } from '../device/device.js';
import { loadGraph } from '../workload/load.js';
import { nodeCounts } from '../workload/counts.js';
import { stepProfileFromGraph } from './from-graph.js';
import { backwardSeconds, forwardSeconds, gradientBytes } from './profile.js';

const device: Device = { name: 'test', peakFlopsPerSecond: { fp32: 125e12 }, memoryBandwidthBytesPerSecond: 900e9, memoryCapacityBytes: 16e9 };

describe('step profile from a training graph', () => {
  const graph = loadGraph('resnet50', { batch: 2, mode: 'train' });
  const p = stepProfileFromGraph(graph, device);

  it('carries every weight gradient once, in 32-bit floats', () => {
    const elements = p.layers.reduce((s, l) => s + l.gradientElements, 0);
    // torchvision's ResNet-50: 25,557,032 parameters
    expect(elements).toBe(25_557_032);
    expect(gradientBytes(p)).toBe(4 * 25_557_032);
  });

  it('times the stem convolution on the roofline (hand count)', () => {
    const conv1 = p.layers.find((l) => l.name === 'conv1')!;
    expect(conv1.layerClass).toBe('convolution');
    // batch 2: MACs 2·112·112·64·3·7·7 → 472 MFLOP → 3.8 µs at 125 TFLOPS;
    // bytes: input 2·3·224·224·4 + weight 64·3·7·7·4 + output 2·64·112·112·4 → 8.5 µs at 900 GB/s: memory bound
    const bytes = 2 * 3 * 224 * 224 * 4 + 64 * 3 * 49 * 4 + 2 * 64 * 112 * 112 * 4;
    expect(conv1.forwardSeconds).toBeCloseTo(bytes / 900e9, 15);
    expect(conv1.outputBytes).toBe(2 * 64 * 112 * 112 * 4);
    // its backward is the weight gradient alone (the image needs none): the same MACs, reading the
    // input and the output gradient and writing the weight gradient — the forward pass's three tensors
    expect(conv1.backwardSeconds).toBeCloseTo(bytes / 900e9, 15);
  });

  it('charges every backward node to a layer and every update node to the optimizer step', () => {
    const seconds = (phase: string) => graph.nodes.filter((n) => n.phase === phase).reduce((s, n) => s + Math.max(nodeCounts(graph, n).flops / 125e12, (nodeCounts(graph, n).bytesRead + nodeCounts(graph, n).bytesWritten) / 900e9), 0);
    expect(forwardSeconds(p)).toBeCloseTo(seconds('forward'), 12);
    expect(backwardSeconds(p)).toBeCloseTo(seconds('backward'), 12);
    expect(p.updateSeconds).toBeCloseTo(seconds('update'), 12);
  });

  it('charges both gradients of a later convolution to it: twice its forward time (hand count)', () => {
    // layer3.0.conv2: 3×3, 256 → 256 channels, stride 2, 28² → 14², batch 2. MACs 2·14²·256·2304 → 0.46 GFLOP,
    // 3.7 µs; bytes: input 2·256·28²·4 + weight 256·2304·4 + output 2·256·14²·4 → 4.9 µs: memory bound. Each
    // gradient does the same MACs and moves the same three tensors (dX: reads dY and W, writes dX; dW: reads X
    // and dY, writes dW).
    const conv = p.layers.find((l) => l.name === 'layer3.0.conv2')!;
    const bytes = 2 * 256 * 28 * 28 * 4 + 256 * 2304 * 4 + 2 * 256 * 14 * 14 * 4;
    expect(conv.forwardSeconds).toBeCloseTo(bytes / 900e9, 15);
    expect(conv.backwardSeconds).toBeCloseTo((2 * bytes) / 900e9, 15);
  });

  it('backward does twice the forward MACs, less the stem convolution\'s input gradient', () => {
    const macs = (phase: string) => graph.nodes.filter((n) => n.phase === phase).reduce((s, n) => s + nodeCounts(graph, n).macs, 0);
    expect(macs('backward')).toBe(2 * macs('forward') - 2 * 112 * 112 * 64 * 3 * 7 * 7);
  });
});
