import { describe, expect, it } from 'vitest';
import { buildZooModel } from '../src/workload/zoo/index.js';
import { graphTotals } from '../src/workload/counts.js';
import { paramCount } from '../src/workload/graph.js';

describe('resnet50', () => {
  it('matches published params and MACs', () => {
    const g = buildZooModel('resnet50');
    const t = graphTotals(g);
    console.log(paramCount(g), t.macs, g.tensors[g.outputs[0]!]!.shape);
    expect(Math.abs(paramCount(g) / 25.557e6 - 1)).toBeLessThan(0.01);
    expect(Math.abs(t.macs / 4.09e9 - 1)).toBeLessThan(0.01);
  });
});
