import { describe, expect, it } from 'vitest';
import { fromNumbers } from '../execute/value.js';
import type { Graph } from '../workload/graph.js';
import { measureQuantization, sqnrDb } from './measure.js';
import { makePlan } from './plan.js';

/** y = x·W, x [1, 2] an input, W [2, 2] a stored weight. */
function matmulGraph(): Graph {
  return {
    name: 'tiny',
    mode: 'infer',
    batch: 1,
    inputs: ['x'],
    outputs: ['y'],
    tensors: {
      x: { name: 'x', kind: 'input', shape: [1, 2], dtype: 'float32' },
      w: { name: 'w', kind: 'weight', shape: [2, 2], dtype: 'float32', value: [1, 2, 0.3, -4] },
      y: { name: 'y', kind: 'activation', shape: [1, 2], dtype: 'float32' },
    },
    nodes: [{ name: 'mm', op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'], attrs: {}, phase: 'forward' }],
  };
}

describe('measureQuantization', () => {
  it('fake-quantizes a MatMul\'s activation per tensor and weight per column (hand-derived int8)', () => {
    const g = matmulGraph();
    const feeds = { x: fromNumbers(g.tensors.x!, [1, -0.5]) };
    const r = measureQuantization(g, feeds, () => undefined, makePlan(g, 'int8'), { method: 'max' });
    // x: symmetric, clip 1, scale 1/127: −0.5 → −63.5 → −64 (tie to even). W column 0: scale 1/127, 0.3 → 38.1 → 38;
    // column 1: scale 4/127, 2 → 63.5 → 64. y = [1 − (64/127)(38/127), 256/127 + (64/127)·4]; fp32 y = [0.85, 4]
    const q = [1 - (64 / 127) * (38 / 127), 256 / 127 + (64 / 127) * 4];
    const want = 10 * Math.log10((0.85 ** 2 + 4 ** 2) / ((0.85 - q[0]!) ** 2 + (4 - q[1]!) ** 2));
    expect(r.layers[0]!.sqnrDb).toBeCloseTo(want, 3);
    expect(r.outputs[0]!.maxAbsError).toBeCloseTo(Math.max(Math.abs(0.85 - q[0]!), Math.abs(4 - q[1]!)), 5);
    expect(r.outputs[0]!.top1Agreement).toBe(1);
    expect(r.weightBytes).toBe(4);
    expect(r.weightBytesFp32).toBe(16);
  });

  it('leaves an fp32 plan exact', () => {
    const g = matmulGraph();
    const r = measureQuantization(g, { x: fromNumbers(g.tensors.x!, [0.7, 0.2]) }, () => undefined, makePlan(g, 'fp32'), { method: 'max' });
    expect(r.layers[0]!.sqnrDb).toBe(Infinity);
    expect(r.outputs[0]!.maxAbsError).toBe(0);
  });

  it('SQNR of a known error', () => {
    expect(sqnrDb([3, 4], [3, 4.5])).toBeCloseTo(10 * Math.log10(25 / 0.25), 12);
  });
});
