import { describe, expect, it } from 'vitest';
import { loadDevice } from '../device/load.js';
import { loadGraph } from '../workload/load.js';
import { configOf, evaluate, planWith, preparePlanner } from './plan.js';
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

  it('VGG-16 at batch 256 trains on 12 GB under vDNN_dyn; the momentum state is what separates fitting from not', () => {
    const sgd = preparePlanner(loadGraph('vgg16', { batch: 256, mode: 'train', optimizer: 'sgd' }), titanX);
    const momentum = preparePlanner(loadGraph('vgg16', { batch: 256, mode: 'train', optimizer: 'momentum' }), titanX);
    expect(planWith(sgd, 'dyn').fits).toBe(true);
    // the leanest vDNN configuration peaks in the same step with and without momentum; the difference is the
    // momentum buffer, one float per VGG-16 parameter (138,357,544)
    const leanest = (p: typeof sgd) => evaluate(p, configOf('all', 'lean')).timeline.peakBytes;
    expect(leanest(momentum) - leanest(sgd)).toBe(138_357_544 * 4);
    expect(leanest(momentum)).toBeGreaterThan(12 * GiB);
  });

  it('offloading every layer input cuts GoogLeNet’s average memory by about as much as published', () => {
    const r = reductionRow(loadGraph('googlenet', { batch: VDNN_PUBLISHED.batch.googlenet, mode: 'train' }), titanX);
    expect(Math.abs(r.reduction - VDNN_PUBLISHED.averageReduction.googlenet!)).toBeLessThan(0.02);
  });
});
