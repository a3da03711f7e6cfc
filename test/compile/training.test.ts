import { describe, expect, it } from 'vitest';
import { compileGraph } from '../../src/compile/index.js';
import { execute, type ParamSource } from '../../src/execute/execute.js';
import { seededInputs } from '../../src/execute/inputs.js';
import { seededParams } from '../../src/execute/params.js';
import { fromNumbers, type Value } from '../../src/execute/value.js';
import { GraphBuilder } from '../../src/workload/builder.js';
import type { Graph } from '../../src/workload/graph.js';
import type { FusedAttrs } from '../../src/workload/ops/fused.js';
import { toTraining } from '../../src/workload/train/index.js';

/**
 * Fusion on a training graph, checked by running it: the loss and every
 * weight gradient are the same before and after the passes. The backward
 * kernels themselves are checked against central finite differences of the
 * loss, so that the before/after comparison compares right answers.
 */
function trainingNet(): Graph {
  const b = new GraphBuilder('train', { batch: 2 });
  const x = b.input('x', [2, 3, 7, 7]);
  const c1 = b.relu(b.conv(x, 4, { kernel: 3, pad: 'same', bias: true, name: 'c1' }));
  // a residual block: the gradient reaching c1's ReLU adds the skip's and the convolutions'
  const r = b.relu(b.add(b.conv(b.relu(b.conv(c1, 4, { kernel: 3, pad: 'same', name: 'r1' })), 4, { kernel: 1, name: 'r2' }), c1));
  const c2 = b.op('Tanh', [b.conv(r, 6, { kernel: 3, stride: 2, group: 2, name: 'c2' })]);
  const fc = b.linear(b.flatten(b.globalAvgPool(c2)), 5, { name: 'fc' });
  return toTraining(b.build([b.op('Sigmoid', [fc])]), { loss: 'mse' });
}

/** The step without its side-effect updates: the loss and each weight's gradient become the outputs. */
function gradientsOf(g: Graph): { graph: Graph; grads: Record<string, string> } {
  const updates = g.nodes.filter((n) => n.phase === 'update');
  const grads = Object.fromEntries(updates.map((n) => [n.inputs[0]!, n.inputs[1]!]));
  return { graph: { ...g, nodes: g.nodes.filter((n) => n.phase !== 'update'), outputs: [...g.outputs, ...Object.values(grads)] }, grads };
}

function feedsFor(g: Graph): Record<string, Value> {
  const feeds = seededInputs(g, 5);
  feeds['loss.grad'] = fromNumbers(g.tensors['loss.grad']!, [1]);
  return feeds;
}

const params = (g: Graph): ParamSource => seededParams(g, 9);

describe('fusion on a training graph', () => {
  const { graph, grads } = gradientsOf(trainingNet());

  it('fuses forward epilogues and backward derivatives into the gradient products, and no BatchNorm folding runs', () => {
    const c = compileGraph(graph);
    expect(c.skipped.map((s) => s.pass)).toEqual(['bn-fold']);
    const groups = c.graph.nodes.filter((n) => n.op === 'FusedGroup').map((n) => (JSON.parse((n.attrs as FusedAttrs).body) as { op: string; name: string }[]).map((m) => m.name));
    // forward: the ReLU's and Tanh's inputs are not kept for backward (their derivatives read their outputs),
    // so each convolution takes its activation; the Sigmoid after the classifier too
    expect(groups).toContainEqual(['c1', 'relu']);
    expect(groups).toContainEqual(['c2', 'tanh']);
    expect(groups).toContainEqual(['fc', 'sigmoid']);
    // backward: a ReLU's derivative becomes the epilogue of the data gradient that feeds it, after the
    // gradient from the skip is added in where there is one
    expect(groups).toContainEqual(['c2.ConvGradInput', 'relu_2.ElementwiseGrad']);
    expect(groups).toContainEqual(['r2.ConvGradInput', 'relu_1.ElementwiseGrad']);
    expect(groups).toContainEqual(['r1.ConvGradInput', 'relu.grad_accum', 'relu.ElementwiseGrad']);
    // forward, the residual Add and the ReLU after it join the second convolution of the block
    expect(groups).toContainEqual(['r2', 'add', 'relu_2']);
  });

  it('keeps the loss and every weight gradient', () => {
    const before = execute(graph, feedsFor(graph), params(graph));
    const c = compileGraph(graph);
    const after = execute(c.graph, feedsFor(graph), params(graph));
    for (const o of graph.outputs) {
      const a = before[o]!.data, b = after[o]!.data;
      let scale = 0, worst = 0;
      for (const v of a) scale = Math.max(scale, Math.abs(v));
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      expect(worst / scale, o).toBeLessThan(1e-5);
    }
  });

  it('the backward kernels agree with central differences of the loss', () => {
    const feeds = feedsFor(graph);
    const base = params(graph);
    const got = execute(graph, feeds, base);
    const h = 2e-3;
    for (const [weight, grad] of Object.entries(grads)) {
      const analytic = got[grad]!.data;
      let scale = 0;
      for (const v of analytic) scale = Math.max(scale, Math.abs(v));
      for (const i of [0, Math.floor(analytic.length / 2), analytic.length - 1]) {
        const lossWith = (delta: number) => {
          const shifted: ParamSource = (t) => {
            const v = base(t);
            if (t.name !== weight || !v) return v;
            v.data[i] = v.data[i]! + delta;
            return v;
          };
          return execute(graph, feeds, shifted)['loss']!.data[0]!;
        };
        const numeric = (lossWith(h) - lossWith(-h)) / (2 * h);
        expect(Math.abs(numeric - analytic[i]!) / scale, `${grad}[${i}]`).toBeLessThan(5e-3);
      }
    }
  });
});
