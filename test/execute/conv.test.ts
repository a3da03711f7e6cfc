import { describe, expect, it } from 'vitest';
import { kernels } from '../../src/execute/kernels/index.js';
import { fromNumbers, type Value } from '../../src/execute/value.js';
import { Rng } from '../../src/util/rng.js';
import { registry } from '../../src/workload/ops/index.js';
import type { Attrs, Node } from '../../src/workload/graph.js';

/** The convolution kernel against the definition summed term by term (groups, strides, dilations, asymmetric pads). */
function direct(x: Value, w: Value, b: Value | undefined, a: { strides: number[]; dilations: number[]; pads: number[]; group: number }, outShape: number[]): number[] {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [K, Cg, R, S] = w.shape as [number, number, number, number];
  const [, , P, Q] = outShape as [number, number, number, number];
  const Kg = K / a.group;
  const out: number[] = [];
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) for (let p = 0; p < P; p++) for (let q = 0; q < Q; q++) {
    let s = b ? b.data[k]! : 0;
    const g = Math.floor(k / Kg);
    for (let c = 0; c < Cg; c++) for (let r = 0; r < R; r++) for (let t = 0; t < S; t++) {
      const ih = p * a.strides[0]! - a.pads[0]! + r * a.dilations[0]!;
      const iw = q * a.strides[1]! - a.pads[1]! + t * a.dilations[1]!;
      if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
      s += x.data[((n * C + g * Cg + c) * H + ih) * W + iw]! * w.data[((k * Cg + c) * R + r) * S + t]!;
    }
    out.push(s);
  }
  return out;
}

describe('Conv kernel', () => {
  it('matches the direct sum on random geometries', () => {
    const rng = new Rng(7);
    const pick = (xs: number[]) => xs[rng.int(xs.length)]!;
    for (let trial = 0; trial < 40; trial++) {
      const group = pick([1, 2, 3]);
      // every fifth case depthwise (one input and one output channel per group)
      const depthwise = trial % 5 === 0;
      const C = group * (depthwise ? 1 : pick([1, 2, 3])), K = group * (depthwise ? 1 : pick([1, 2, 5]));
      const H = pick([5, 7, 8]), W = pick([6, 9, 10]);
      const R = pick([1, 2, 3]), S = pick([1, 3]);
      const raw: Attrs = { strides: [pick([1, 2]), pick([1, 2, 3])], dilations: [pick([1, 2]), pick([1, 2])], pads: [pick([0, 1]), pick([0, 2]), pick([0, 1, 2]), pick([0, 1])], group };
      const kind = registry.get('Conv');
      const attrs = kind.attrs(raw);
      const xT = { shape: [2, C, H, W], dtype: 'float32' as const }, wT = { shape: [K, C / group, R, S], dtype: 'float32' as const }, bT = { shape: [K], dtype: 'float32' as const };
      const outT = kind.infer([xT, wT, bT], attrs)[0]!;
      const rand = (n: number) => Array.from({ length: n }, () => rng.next() * 2 - 1);
      const x = fromNumbers(xT, rand(2 * C * H * W)), w = fromNumbers(wT, rand(K * (C / group) * R * S)), b = fromNumbers(bT, rand(K));
      const node: Node = { name: 'c', op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs, phase: 'forward' };
      const [y] = kernels.get('Conv')!.run({ node, inputs: [x, w, trial % 2 ? b : undefined], attrs, outputs: [outT], kernels });
      const want = direct(x, w, trial % 2 ? b : undefined, raw as never, outT.shape);
      want.forEach((v, i) => expect(Math.abs(y!.data[i]! - v)).toBeLessThan(1e-5));
    }
  });
});
