import { describe, expect, it } from 'vitest';
import { loadDevice } from '../device/load.js';
import { loadGraph } from '../workload/load.js';
import { planWith, preparePlanner } from './plan.js';
import { reductionRow, VDNN_PUBLISHED } from './vdnn.js';

/**
 * The published vDNN claims (Rhu et al., MICRO'16, on a 12 GB Titan X) that
 * the model reproduces; bench/memory.bench.ts prints every figure beside
 * the published one, including those it does not reproduce.
 */
const titanX = loadDevice('titan-x');
const GiB = 2 ** 30;

describe('vDNN on a Titan X', () => {
  it('VGG-16 at batch 256 does not fit 12 GB while its activations stay on the device', () => {
    const p = preparePlanner(loadGraph('vgg16', { batch: 256, mode: 'train' }), titanX);
    expect(p.capacityBytes).toBe(12 * GiB);
    for (const policy of ['none', 'recompute'] as const) for (const algorithm of ['fast', 'lean'] as const) expect(planWith(p, policy, algorithm).fits).toBe(false);
    // "requiring 28 GB": more than twice the card, whatever the workspace
    expect(planWith(p, 'none', 'lean').networkWideBytes).toBeGreaterThan(2 * 12 * GiB);
  });

  it('VGG-16 at batch 256 trains on 12 GB under vDNN_dyn with momentum, its state on the host between updates', () => {
    const p = preparePlanner(loadGraph('vgg16', { batch: 256, mode: 'train' }), titanX);
    // the leanest configuration peaks while pool1's gradient is computed: every weight, every weight gradient but
    // conv1_1's and conv1_2's (1,792 + 36,928 parameters), pool1's input X, its gradient dX and conv1_2's input
    // (prefetched one layer ahead), each 256·64·224·224 floats, and pool1's output Y and its gradient dY,
    // each 256·64·112·112 floats; the momentum (another float per parameter) waits on the host
    const params = 138_357_544, fullMap = 256 * 64 * 224 * 224 * 4, pooled = 256 * 64 * 112 * 112 * 4;
    const hand = params * 4 + (params - 1_792 - 36_928) * 4 + 3 * fullMap + 2 * pooled;
    const leanest = planWith(p, 'all', 'lean');
    expect(leanest.peak.step).toBe('pool1.PoolGrad');
    expect(leanest.peak.breakdown['optimizer-state']).toBe(0);
    expect(leanest.hostStateBytes).toBe(params * 4);
    // the loss's constants (a few bytes) are the only other buffer alive
    expect(leanest.peakBytes - hand).toBeGreaterThanOrEqual(0);
    expect(leanest.peakBytes - hand).toBeLessThan(1024);
    const dyn = planWith(p, 'dyn');
    expect(hand).toBeLessThan(12 * GiB);
    expect(dyn.fits).toBe(true);
  });

  it('VGG-16 at batch 256 under vDNN_dyn is about as much slower than unlimited memory as published', () => {
    const dyn = planWith(preparePlanner(loadGraph('vgg16', { batch: 256, mode: 'train' }), titanX), 'dyn');
    expect(Math.abs(dyn.slowdown - VDNN_PUBLISHED.vgg16Slowdown)).toBeLessThan(0.1);
  });

  it('counting feature maps, their gradients and workspace only, offloading cuts OverFeat’s and GoogLeNet’s average memory by about as much as published', () => {
    for (const model of ['overfeat', 'googlenet']) {
      const r = reductionRow(loadGraph(model, { batch: VDNN_PUBLISHED.batch[model]!, mode: 'train' }), titanX);
      expect(Math.abs(r.reductionFeatureMaps - VDNN_PUBLISHED.averageReduction[model]!)).toBeLessThan(0.05);
    }
  });

  it('offloading every layer input cuts GoogLeNet’s average memory by about as much as published', () => {
    const r = reductionRow(loadGraph('googlenet', { batch: VDNN_PUBLISHED.batch.googlenet, mode: 'train' }), titanX);
    expect(Math.abs(r.reduction - VDNN_PUBLISHED.averageReduction.googlenet!)).toBeLessThan(0.02);
  });
});
