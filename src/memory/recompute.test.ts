import { describe, expect, it } from 'vitest';
import { loadDevice } from '../device/load.js';
import { GraphBuilder } from '../workload/builder.js';
import { nodeCounts } from '../workload/counts.js';
import type { Graph } from '../workload/graph.js';
import { toTraining } from '../workload/train/index.js';
import { convRelu } from '../workload/zoo/layers.js';
import { planWith, preparePlanner } from './plan.js';
import { mappedTimes, rooflineTimes } from '../characterize/times.js';

/**
 * Six convolution + ReLU layers, a flatten and a linear layer. Forward
 * nodes, in order: c1 c1.relu c2 c2.relu … c6 c6.relu flat fc loss
 * (indices 0 … 14). Each position between two of them is crossed by exactly
 * one activation (flat is a view of c6.relu), so the cut points are 1 … 14.
 * The backward pass reads each ReLU's output (its derivative) and each
 * convolution's input; a convolution's own output is read by nothing after
 * its ReLU.
 */
function chain(): Graph {
  const g = new GraphBuilder('chain', { batch: 2 });
  let x = g.input('image', [2, 3, 8, 8]);
  for (let i = 1; i <= 6; i++) x = convRelu(g, x, 4, { kernel: 3, pad: 1, name: `c${i}` });
  x = g.flatten(x, 1, 'flat');
  return toTraining(g.build([g.linear(x, 10, { name: 'fc' })]), { optimizer: 'sgd' });
}

const device = loadDevice('titan-x');

function flopsOf(graph: Graph, names: string[]): number {
  return names.reduce((s, n) => s + nodeCounts(graph, graph.nodes.find((x) => x.name === n)!).flops, 0);
}

describe('checkpointing by hand', () => {
  it('default: every 4th of 14 cut points (round √15), segments [0,4) [4,8) [8,12) [12,15)', () => {
    const graph = chain();
    const p = preparePlanner(graph, device, { times: rooflineTimes(device) });
    const plan = planWith(p, 'recompute', 'lean');
    // segment [0,4) = c1 c1.relu c2 c2.relu: c2.relu crosses into c3 (kept); c1.relu is dropped and
    // recomputed from the image by c1, c1.relu. Likewise c3, c3.relu and c5, c5.relu. The last segment is kept.
    expect(plan.recomputation).toEqual({ segments: 4, checkpointEvery: 4, checkpoints: ['c2.relu', 'c4.relu', 'c6.relu'], recomputed: ['c1', 'c1.relu', 'c3', 'c3.relu', 'c5', 'c5.relu'] });
    const recomputed = plan.recomputation!.recomputed;
    expect(plan.recomputeFlops).toBe(flopsOf(graph, recomputed));
    // the recomputation comes right before the first backward node that reads a dropped tensor
    const order = plan.steps.map((s) => `${s.phase === 'recompute' ? 'r:' : ''}${s.name}`);
    const before = (name: string) => order.slice(order.indexOf(name) - 2, order.indexOf(name));
    expect(before('c6.ConvGradWeight')).toEqual(['r:c5', 'r:c5.relu']);
    expect(before('c4.ConvGradWeight')).toEqual(['r:c3', 'r:c3.relu']);
    expect(before('c2.ConvGradWeight')).toEqual(['r:c1', 'r:c1.relu']);
  });

  it('every 3rd cut point: a checkpoint that the backward pass never reads is kept for the recomputation', () => {
    const graph = chain();
    const plan = planWith(preparePlanner(graph, device, { checkpointEvery: 3 }), 'recompute');
    // boundaries at 3, 6, 9, 12: [0,3) c1 c1.relu c2 | [3,6) c2.relu c3 c3.relu | [6,9) c4 c4.relu c5 | [9,12) c5.relu c6 c6.relu | [12,15)
    // crossing: c2 (a convolution output), c3.relu, c5, c6.relu
    expect(plan.recomputation).toEqual({ segments: 5, checkpointEvery: 3, checkpoints: ['c2', 'c3.relu', 'c5', 'c6.relu'], recomputed: ['c1', 'c1.relu', 'c2.relu', 'c4', 'c4.relu', 'c5.relu'] });
    expect(plan.recomputeFlops).toBe(flopsOf(graph, plan.recomputation!.recomputed));
  });

  it('adds exactly the recomputed nodes’ time', () => {
    const graph = chain();
    const ms = Object.fromEntries(graph.nodes.map((n) => [n.name, 1e-3]));
    const p = preparePlanner(graph, device, { times: mappedTimes(ms, rooflineTimes(device), 'test') });
    const none = planWith(p, 'none'), rec = planWith(p, 'recompute');
    expect(none.computeSeconds).toBeCloseTo(graph.nodes.length * 1e-3, 12);
    expect(rec.recomputeSeconds).toBeCloseTo(6e-3, 12);
    expect(rec.computeSeconds - none.computeSeconds).toBeCloseTo(6e-3, 12);
    // nothing is offloaded, so the step is its compute
    expect(rec.stepSeconds).toBeCloseTo(rec.computeSeconds, 12);
  });

  it('keeps fewer bytes across the step', () => {
    const p = preparePlanner(chain(), device);
    const none = planWith(p, 'none'), rec = planWith(p, 'recompute');
    expect(rec.avgBytes).toBeLessThan(none.avgBytes);
    expect(rec.peakBytes).toBeLessThanOrEqual(none.networkWideBytes);
  });
});
