import { describe, expect, it } from 'vitest';
import { pact } from '../clipping.js';
import { PactRelu } from './lenet.js';
import { loadMnist } from './mnist.js';

describe('MNIST from the mnist package', () => {
  it('splits real digits into disjoint, balanced-enough sets with pixels in [0, 1]', () => {
    const { train, test } = loadMnist(500, 200, 3);
    expect(train.images.length).toBe(500 * 784);
    expect(test.labels.length).toBe(200);
    const counts = new Array(10).fill(0);
    train.labels.forEach((l) => counts[l]++);
    expect(Math.min(...counts)).toBeGreaterThan(25); // ~50 each after a shuffle of ~1000 per digit
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of train.images) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    expect(lo).toBe(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi).toBeGreaterThan(0.9);
    // a digit has ink: MNIST digits cover roughly 10–25% of the 28×28 pixels
    const ink = train.images.subarray(0, 784).filter((v) => v > 0.5).length;
    expect(ink).toBeGreaterThan(40);
    expect(ink).toBeLessThan(300);
  });
});

describe('PactRelu', () => {
  it('is a ReLU until given bits, then PACT with straight-through gradients', () => {
    const a = new PactRelu('a');
    expect(Array.from(a.forward(Float32Array.of(-1, 0.5, 3)))).toEqual([0, 0.5, 3]);
    a.bits = 2;
    a.alpha.value[0] = 2;
    const x = Float32Array.from({ length: 64 }, (_, i) => (i / 64) * 4 - 1); // −1 … 3
    expect(Array.from(a.forward(x))).toEqual(Array.from(x, (v) => Math.fround(pact(v, 2, 2))));
    a.alpha.grad[0] = 0;
    const dx = a.backward(new Float32Array(64).fill(1));
    // ∂y/∂α summed over inputs at or above α; ∂y/∂x = 1 strictly between 0 and α
    expect(a.alpha.grad[0]).toBe(x.filter((v) => v >= 2).length);
    expect(Array.from(dx)).toEqual(Array.from(x, (v) => (v > 0 && v < 2 ? 1 : 0)));
  });
});
