import { describe, expect, it } from 'vitest';
import { Rng } from '../../util/rng.js';
import { makeDataset, batchOf } from './data.js';
import { smallCnn, softmaxCrossEntropy } from './net.js';

describe('small CNN', () => {
  it('backward agrees with finite differences of the loss', () => {
    const net = smallCnn({ imageSize: 8, channels: [2, 3], hidden: 5, classes: 4 }, new Rng(1));
    const data = makeDataset({ count: 3, imageSize: 8, classes: 4, noise: 0.3, seed: 2 });
    const { x, y } = batchOf(data, [0, 1, 2]);
    net.gradients(x, y, 3);
    const loss = () => softmaxCrossEntropy(net.forward(x, 3), y, 3, 4).loss;
    const rng = new Rng(3);
    let checked = 0;
    for (const p of net.params) {
      for (let t = 0; t < 6; t++) {
        const i = rng.int(p.value.length);
        const analytic = p.grad[i]!;
        const keep = p.value[i]!;
        const eps = 1e-2;
        p.value[i] = keep + eps;
        const up = loss();
        p.value[i] = keep - eps;
        const down = loss();
        p.value[i] = keep;
        const numeric = (up - down) / (2 * eps);
        // a max pool or ReLU kink inside ±eps can break the comparison; they are rare at these sizes
        expect(Math.abs(numeric - analytic)).toBeLessThan(2e-3 + 0.05 * Math.abs(numeric));
        checked++;
      }
    }
    expect(checked).toBe(6 * net.params.length);
  });

  it('softmax cross-entropy of uniform logits is ln(classes)', () => {
    const r = softmaxCrossEntropy(new Float32Array(8), [1, 3], 2, 4);
    expect(r.loss).toBeCloseTo(Math.log(4), 6);
    // d/dlogit = (1/4 − [k = label]) / n
    expect(r.dLogits[1]).toBeCloseTo((0.25 - 1) / 2, 6);
    expect(r.dLogits[0]).toBeCloseTo(0.25 / 2, 6);
  });
});
