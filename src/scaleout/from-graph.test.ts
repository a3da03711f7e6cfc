import { describe, expect, it } from 'vitest';
import { buildZooModel } from '../workload/zoo/index.js';
import { paramCount } from '../workload/graph.js';
import { stepProfileFromGraph } from './from-graph.js';
import { gradientBytes } from './profile.js';

describe('step profile from a workload graph', () => {
  const graph = buildZooModel('resnet50', { batch: 1 });
  const p = stepProfileFromGraph(graph, { name: 'test', peakFlopsPerSecond: 125e12, memoryBytesPerSecond: 900e9 });

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
    // MACs 112·112·64·3·7·7 = 118,013,952 → 236 MFLOP → 1.89 µs at 125 TFLOPS;
    // bytes: input 3·224·224·4 + weight 64·3·7·7·4 + output 64·112·112·4 = 3,850,752 → 4.28 µs at 900 GB/s
    const bytes = 3 * 224 * 224 * 4 + 64 * 3 * 49 * 4 + 64 * 112 * 112 * 4;
    expect(conv1.forwardSeconds).toBeCloseTo(bytes / 900e9, 15);
    expect(conv1.backwardSeconds).toBeCloseTo(2 * conv1.forwardSeconds, 15);
    expect(conv1.gradientElements).toBe(64 * 3 * 49);
    expect(conv1.outputBytes).toBe(64 * 112 * 112 * 4);
  });

  it('prices the SGD-with-momentum update as five passes over the parameters', () => {
    expect(p.updateSeconds).toBeCloseTo((5 * 4 * paramCount(graph)) / 900e9, 12);
    expect(p.batch).toBe(1);
  });
});
