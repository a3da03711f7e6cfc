import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allGather, allReduce, algorithmsFor, bestAllReduce, reduceScatter, ringAllReduce, type AllReduceAlgorithm } from './collectives.js';
import { allReduceSchedule, buildNetwork, halfSchedule, ownChunkComplete, ownContributions, simulate } from './simulate.js';
import { balancedDims, makeSystem, type Link, type SystemSpec } from './system.js';

const link: Link = { bandwidthBytesPerSecond: 1e9, latencySeconds: 1e-6 };
const fast: Link = { bandwidthBytesPerSecond: 8e9, latencySeconds: 2e-7 };

describe('collective formulas (hand derivations)', () => {
  it('ring all-reduce moves 2(n−1)/n of the data per device', () => {
    // n = 4, S = 4 MB: 6 steps of 1 MB, each 1 µs + 1 ms
    const c = ringAllReduce(4, 4e6, link);
    expect(c.bytesSentPerDevice).toBe(6e6);
    expect(c.steps).toBe(6);
    expect(c.seconds).toBeCloseTo(6 * (1e-6 + 1e-3), 12);
  });

  it('reduce-scatter and all-gather move (n−1)/n of the data', () => {
    const sys = makeSystem({ devices: 8, topology: 'ring', link });
    expect(reduceScatter(sys, 8e6).bytesSentPerDevice).toBe(7e6);
    expect(allGather(sys, 8e6).seconds).toBeCloseTo(7 * (1e-6 + 1e-3), 12);
  });

  it('parameter server takes 2(N−1)S/B, tree 2⌈log₂N⌉S/B (Paleo)', () => {
    const sys = makeSystem({ devices: 5, topology: 'switch', link: { bandwidthBytesPerSecond: 1e9, latencySeconds: 0 } });
    expect(allReduce(sys, 1e6, 'ps').seconds).toBeCloseTo((2 * 4 * 1e6) / 1e9, 12);
    // ⌈log₂5⌉ = 3
    expect(allReduce(sys, 1e6, 'tree').seconds).toBeCloseTo((2 * 3 * 1e6) / 1e9, 12);
  });

  it('2-D torus: reduce-scatter along x, all-reduce along y on S/a, all-gather along x', () => {
    const sys = makeSystem({ devices: 12, topology: 'torus2d', link, dims: [4, 3] });
    const S = 12e6;
    const expected = 2 * 3 * (1e-6 + S / 4 / 1e9) + 2 * 2 * (1e-6 + S / 12 / 1e9);
    expect(allReduce(sys, S, 'torus').seconds).toBeCloseTo(expected, 12);
    // bandwidth term equals the ring's 2(N−1)/N·S/B
    expect(allReduce(sys, S, 'torus').bytesSentPerDevice).toBeCloseTo((2 * 11 * S) / 12, 3);
  });

  it('hierarchical: fast reduce-scatter in the node, slow all-reduce between nodes on S/k', () => {
    const sys = makeSystem({ devices: 16, topology: 'hier', link, nodeDevices: 4, intraLink: fast });
    const S = 16e6;
    const expected = 2 * 3 * (2e-7 + S / 4 / 8e9) + 2 * 3 * (1e-6 + S / 16 / 1e9);
    expect(allReduce(sys, S, 'hier').seconds).toBeCloseTo(expected, 12);
  });

  it('one device communicates nothing', () => {
    const sys = makeSystem({ devices: 1, topology: 'switch', link });
    for (const a of algorithmsFor(sys)) expect(allReduce(sys, 1e6, a).seconds).toBe(0);
  });

  it('picks the fewest steps for tiny messages and the ring for large ones on a switch', () => {
    const sys = makeSystem({ devices: 64, topology: 'switch', link: { bandwidthBytesPerSecond: 1e9, latencySeconds: 1e-5 } });
    // 64 B: latency decides — the parameter server takes 2 steps, the tree 12, the ring 126
    expect(bestAllReduce(sys, 64).algorithm).toBe('ps');
    // 10 kB: tree 12·(10 µs + 10 µs) = 240 µs; ps 20 µs + 2·63·10 µs = 1.28 ms; ring 126·10 µs + … ≈ 1.28 ms
    expect(bestAllReduce(sys, 10e3).algorithm).toBe('tree');
    expect(bestAllReduce(sys, 64e6).algorithm).toBe('ring');
  });

  it('refuses an algorithm the topology cannot run', () => {
    const sys = makeSystem({ devices: 8, topology: 'ring', link });
    expect(() => allReduce(sys, 1e6, 'tree')).toThrow(/does not run on a ring/);
  });

  it('balances torus dimensions', () => {
    expect(balancedDims(64, 2)).toEqual([8, 8]);
    expect(balancedDims(32, 2)).toEqual([8, 4]);
    expect(balancedDims(64, 3)).toEqual([4, 4, 4]);
    expect(balancedDims(12, 3)).toEqual([3, 2, 2]);
    expect(balancedDims(7, 2)).toEqual([7, 1]);
  });
});

describe('collective formulas agree with a step-by-step simulation on the links', () => {
  const cases: { spec: SystemSpec; algorithm: AllReduceAlgorithm }[] = [];
  for (const n of [2, 3, 4, 5, 8]) {
    cases.push({ spec: { devices: n, topology: 'ring', link }, algorithm: 'ring' });
    for (const a of ['ring', 'tree', 'ps'] as const) cases.push({ spec: { devices: n, topology: 'switch', link }, algorithm: a });
  }
  for (const dims of [[2, 2], [4, 3], [3, 5]]) cases.push({ spec: { devices: dims[0]! * dims[1]!, topology: 'torus2d', link, dims }, algorithm: 'torus' });
  for (const dims of [[2, 2, 2], [3, 2, 4]]) cases.push({ spec: { devices: dims[0]! * dims[1]! * dims[2]!, topology: 'torus3d', link, dims }, algorithm: 'torus' });
  for (const [k, nodes] of [[2, 2], [4, 3], [3, 4]] as const) cases.push({ spec: { devices: k * nodes, topology: 'hier', link, nodeDevices: k, intraLink: fast }, algorithm: 'hier' });

  it.each(cases.map((c) => [`${c.algorithm} on ${c.spec.topology} ${c.spec.dims?.join('x') ?? ''} n=${c.spec.devices}`, c] as const))('%s', (_name, c) => {
    const sys = makeSystem(c.spec);
    const bytes = 3.6e6;
    const schedule = allReduceSchedule(sys, c.algorithm);
    const sim = simulate(buildNetwork(sys), schedule, bytes, ownContributions(sys.devices, schedule.chunks));
    const full = 2 ** sys.devices - 1;
    for (const row of sim.holdings) for (const mask of row) expect(mask).toBe(full);
    const formula = allReduce(sys, bytes, c.algorithm);
    expect(sim.seconds).toBeCloseTo(formula.seconds, 12);
    expect(sim.steps).toBe(formula.steps);
    expect(sim.maxBytesSentPerDevice).toBeCloseTo(formula.bytesSentPerDevice, 3);
  });

  it('reduce-scatter and all-gather agree with the simulation (any size, link and topology)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<SystemSpec['topology']>('ring', 'switch', 'torus2d', 'torus3d', 'hier'),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.double({ min: 1e3, max: 1e9, noNaN: true }),
        fc.double({ min: 1e8, max: 1e11, noNaN: true }),
        fc.double({ min: 0, max: 1e-4, noNaN: true }),
        (topology, a, b, bytes, bw, lat) => {
          const devices = topology === 'torus3d' ? a * b * 2 : a * b;
          const l = { bandwidthBytesPerSecond: bw, latencySeconds: lat };
          const spec: SystemSpec = { devices, topology, link: l, nodeDevices: a, intraLink: { bandwidthBytesPerSecond: bw * 4, latencySeconds: lat / 3 } };
          if (topology === 'torus2d') spec.dims = [a, b];
          if (topology === 'torus3d') spec.dims = [a, b, 2];
          const sys = makeSystem(spec);
          const net = buildNetwork(sys);
          const rs = halfSchedule(sys, 'reduce-scatter');
          const rsSim = simulate(net, rs, bytes, ownContributions(devices, rs.chunks));
          const full = 2 ** devices - 1;
          // device i ends with chunk i complete
          rsSim.holdings.forEach((row, d) => expect(row[d]).toBe(full));
          expect(rsSim.seconds).toBeCloseTo(reduceScatter(sys, bytes).seconds, 9);
          const ag = halfSchedule(sys, 'all-gather');
          const agSim = simulate(net, ag, bytes, ownChunkComplete(devices));
          for (const row of agSim.holdings) for (const m of row) expect(m).toBe(full);
          expect(agSim.seconds).toBeCloseTo(allGather(sys, bytes).seconds, 9);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('ring all-reduce on a ring puts S/n on n links in each of its 2(n−1) steps', () => {
    const n = 5;
    const sys = makeSystem({ devices: n, topology: 'ring', link });
    const schedule = allReduceSchedule(sys, 'ring');
    const sim = simulate(buildNetwork(sys), schedule, 1e6, ownContributions(n, schedule.chunks));
    expect(sim.linkBytesPerStep).toHaveLength(2 * (n - 1));
    for (const step of sim.linkBytesPerStep) {
      expect(step.filter((b) => b > 0)).toEqual(new Array(n).fill(1e6 / n));
      // 2n directed links, only the clockwise ones are used
      expect(step).toHaveLength(2 * n);
    }
  });

  it('the tree costs more than its formula on a ring, where its messages share links', () => {
    const sys = makeSystem({ devices: 8, topology: 'ring', link });
    const sw = makeSystem({ devices: 8, topology: 'switch', link });
    const schedule = allReduceSchedule(sw, 'tree');
    const onRing = simulate(buildNetwork(sys), schedule, 1e6, ownContributions(8, 1));
    expect(onRing.seconds).toBeGreaterThan(allReduce(sw, 1e6, 'tree').seconds);
  });

  it('catches a schedule that counts a contribution twice', () => {
    const sys = makeSystem({ devices: 2, topology: 'switch', link });
    const bad = { devices: 2, chunks: 1, steps: [[{ src: 0, dst: 1, chunks: [0], op: 'reduce' as const }], [{ src: 0, dst: 1, chunks: [0], op: 'reduce' as const }]] };
    expect(() => simulate(buildNetwork(sys), bad, 1, ownContributions(2, 1))).toThrow(/twice/);
  });
});
