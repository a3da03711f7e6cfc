import { describe, expect, it } from 'vitest';
import { ringAllReduce } from './collectives.js';
import { gtopkAllReduce, partialSumBytes, sparseAllReduce } from './sparse.js';
import { makeSystem, type Link } from './system.js';

const link: Link = { bandwidthBytesPerSecond: 1e9, latencySeconds: 1e-6 };
const fast: Link = { bandwidthBytesPerSecond: 8e9, latencySeconds: 2e-7 };

describe('sparse partial sums', () => {
  it('grow with the union of independent supports and go dense once that is smaller', () => {
    // 1000 elements at 1%: two workers' union 1000·(1 − 0.99²) = 19.9 non-zeros of 8 bytes
    expect(partialSumBytes(1000, 2, 0.01)).toBeCloseTo(159.2, 9);
    // half of the elements from each of two workers: 750 pairs (6000 B) > 1000 floats (4000 B)
    expect(partialSumBytes(1000, 2, 0.5)).toBe(4000);
  });
});

describe('SparCML sparse all-reduce (hand derivations)', () => {
  it('ring of 4: a reduce-scatter of growing sparse chunks, then an all-gather of the sparse sum', () => {
    const sys = makeSystem({ devices: 4, topology: 'ring', link });
    const E = 4e6, rho = 0.001, m = 40_000;
    // step 1: a quarter of one worker's message; steps 2, 3: a quarter of the elements summing 2, 3 workers
    const rs = [m / 4, 8 * 1e6 * (1 - 0.999 ** 2), 8 * 1e6 * (1 - 0.999 ** 3)];
    // the sum of 4 workers, 8·4e6·(1 − 0.999⁴) bytes, all-gathered: 3 steps of a quarter each
    const sum = 8 * 4e6 * (1 - 0.999 ** 4);
    const c = sparseAllReduce(sys, { elements: E, density: rho, messageBytes: m });
    expect(c.steps).toBe(6);
    expect(c.bytesSentPerDevice).toBeCloseTo(rs[0]! + rs[1]! + rs[2]! + (3 * sum) / 4, 6);
    expect(c.seconds).toBeCloseTo(6e-6 + (rs[0]! + rs[1]! + rs[2]! + (3 * sum) / 4) / 1e9, 12);
  });

  it('densifies: with half the elements per worker it is a dense ring all-reduce but for the first chunk', () => {
    const sys = makeSystem({ devices: 4, topology: 'ring', link });
    const E = 1e6, m = 1e6; // a dense 4 MB gradient; the message carries half of it as 8-byte pairs
    const c = sparseAllReduce(sys, { elements: E, density: 0.5, messageBytes: m * 4 });
    // first chunk: a quarter of one worker's 4 MB message, like the dense ring's
    expect(c.seconds).toBeCloseTo(ringAllReduce(4, 4e6, link).seconds, 12);
    const lighter = sparseAllReduce(sys, { elements: E, density: 0.5, messageBytes: 2e6 });
    // a 2 MB first message saves half a chunk, 0.5 MB, on the first step
    expect(ringAllReduce(4, 4e6, link).seconds - lighter.seconds).toBeCloseTo(0.5e6 / 1e9, 12);
  });

  it('2-D torus 4×3: along x chunks of E/4 summing 1…3 workers, along y chunks of E/12 summing 4, 8 workers', () => {
    const sys = makeSystem({ devices: 12, topology: 'torus2d', link, dims: [4, 3] });
    const E = 12e6, rho = 0.0001, m = 2_400;
    const pairs = (elements: number, c: number) => 8 * elements * (1 - (1 - rho) ** c);
    const x = [m / 4, pairs(3e6, 2), pairs(3e6, 3)];
    const y = [pairs(1e6, 4), pairs(1e6, 8)];
    const sum = pairs(12e6, 12);
    // all-gather of the sum along y then x: 2 steps of sum/12, 3 steps of sum/4
    const gather = 2 * (1e-6 + sum / 12 / 1e9) + 3 * (1e-6 + sum / 4 / 1e9);
    const expected = [...x, ...y].reduce((s, b) => s + 1e-6 + b / 1e9, 0) + gather;
    expect(sparseAllReduce(sys, { elements: E, density: rho, messageBytes: m }).seconds).toBeCloseTo(expected, 12);
  });
});

describe('gTop-k (hand derivations)', () => {
  const m = 1e5;
  it('switch of 8: three rounds up the tree and three down, one message each', () => {
    const c = gtopkAllReduce(makeSystem({ devices: 8, topology: 'switch', link }), m);
    expect(c.seconds).toBeCloseTo(6 * (1e-6 + m / 1e9), 12);
    expect(c.steps).toBe(6);
    // ⌈log₂5⌉ = 3 rounds for 5 devices too
    expect(gtopkAllReduce(makeSystem({ devices: 5, topology: 'switch', link }), m).seconds).toBeCloseTo(6 * (1e-6 + m / 1e9), 12);
  });

  it('ring of 8: partners 1, 2 and 4 links apart, each link latency paid, the message once', () => {
    const c = gtopkAllReduce(makeSystem({ devices: 8, topology: 'ring', link }), m);
    expect(c.seconds).toBeCloseTo(2 * ((1 + 2 + 4) * 1e-6 + (3 * m) / 1e9), 12);
  });

  it('hierarchical 4 nodes of 4: two rounds inside the node on its fast links, two across', () => {
    const c = gtopkAllReduce(makeSystem({ devices: 16, topology: 'hier', link, nodeDevices: 4, intraLink: fast }), m);
    expect(c.seconds).toBeCloseTo(2 * (2 * (2e-7 + m / 8e9) + 2 * (1e-6 + m / 1e9)), 12);
  });

  it('one device exchanges nothing', () => {
    expect(gtopkAllReduce(makeSystem({ devices: 1, topology: 'ring', link }), m).seconds).toBe(0);
    expect(sparseAllReduce(makeSystem({ devices: 1, topology: 'ring', link }), { elements: 10, density: 0.1, messageBytes: 8 }).seconds).toBe(0);
  });
});
