import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO, trainDemo, type DemoConfig } from './train.js';

const tiny: DemoConfig = { ...DEFAULT_DEMO, workers: 2, steps: 60, batchPerWorker: 8, channels: [2, 4], hidden: 16, classes: 4, trainCount: 400, testCount: 200, curvePoints: 4 };

describe('compressed data-parallel training demo', () => {
  it('learns the task without compression and with AdaComp', () => {
    for (const method of ['none', 'adacomp'] as const) {
      const r = trainDemo(method, tiny);
      expect(r.curve).toHaveLength(4);
      expect(r.curve[3]!.trainLoss).toBeLessThan(0.6 * r.curve[0]!.trainLoss);
      // chance is 1/4
      expect(r.finalTestAccuracy).toBeGreaterThan(0.5);
    }
  });

  it('reports per layer type the ratio its encoding implies (1-bit: one bit per element and two scales per tensor)', () => {
    const r = trainDemo('onebit', { ...tiny, steps: 4 });
    const conv = r.byClass.find((c) => c.layerClass === 'convolution')!;
    const fc = r.byClass.find((c) => c.layerClass === 'matmul')!;
    // conv1 2·1·3·3 + 2, conv2 4·2·3·3 + 4 = 96 elements in 4 tensors
    expect(conv.elements).toBe(96);
    expect(conv.ratio).toBeCloseTo((96 * 32) / (96 + 4 * 64), 9);
    // fc1 (4·2·2 → 16) 256 + 16, fc2 16·4 + 4 = 340 elements in 4 tensors
    expect(fc.elements).toBe(340);
    expect(fc.ratio).toBeCloseTo((340 * 32) / (340 + 4 * 64), 9);
    expect(conv.density).toBe(1);
  });

  it('is deterministic for a seed', () => {
    const a = trainDemo('qsgd', { ...tiny, steps: 10 });
    const b = trainDemo('qsgd', { ...tiny, steps: 10 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const c = trainDemo('qsgd', { ...tiny, steps: 10, seed: 2 });
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });
});
