import { describe, expect, it } from 'vitest';
import { execute } from '../../src/execute/execute.js';
import { fromNumbers } from '../../src/execute/value.js';
import { GraphBuilder } from '../../src/workload/builder.js';

describe('LayerNormalization kernel', () => {
  it('normalizes each row by hand-derived mean and variance, with only its first output used', () => {
    const b = new GraphBuilder('ln');
    const x = b.input('x', [2, 4]);
    const y = b.node('LayerNormalization', [x, b.constant('scale', [1, 1, 2, 2], [4], 'float32'), b.constant('shift', [0, 0, 0, 1], [4], 'float32')], { epsilon: 0 }, { name: 'ln' })[0]!;
    const g = b.build([y]);
    const out = execute(g, { x: fromNumbers({ shape: [2, 4], dtype: 'float32' }, [1, 2, 3, 4, 5, 5, 5, 5 + 1e-3]) }, () => undefined)[y]!;
    // row 1: mean 2.5, variance 1.25: (x − 2.5)/√1.25 = ±1.3416, ±0.4472
    const s = Math.sqrt(1.25);
    const want = [-1.5 / s, -0.5 / s, (2 * 0.5) / s, (2 * 1.5) / s + 1];
    want.forEach((v, i) => expect(out.data[i]).toBeCloseTo(v, 5));
    // row 2 is three equal values and one slightly larger: still finite
    expect(Array.from(out.data.subarray(4)).every(Number.isFinite)).toBe(true);
  });
});
