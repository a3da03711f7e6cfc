import { describe, expect, it } from 'vitest';
import { Rng } from '../util/rng.js';
import { distinctPositions, type SpatialMove } from './general-cases.js';

/** Every position the loops reach, listed one by one (the definition), counted distinct. */
function bruteForce(ranks: number, moves: SpatialMove[]): number {
  let positions: number[][] = [new Array<number>(ranks).fill(0)];
  for (const { n, steps } of moves) positions = positions.flatMap((p) => Array.from({ length: n }, (_, i) => p.map((x, r) => x + steps[r]! * i)));
  return new Set(positions.map((p) => p.join(','))).size;
}

describe('distinctPositions', () => {
  it('equals listing every position, on random loops over 1–4 ranks (diagonals, repeated strides, long steps, ranks no loop moves)', () => {
    const rng = new Rng(7);
    for (let k = 0; k < 2000; k++) {
      const ranks = 1 + rng.int(4);
      // Steps up to 40 make groups whose places outnumber the listed positions (counted in a set).
      const step = () => (rng.next() < 0.5 ? 0 : rng.next() < 0.2 ? rng.int(41) : rng.int(5));
      const moves = Array.from({ length: 1 + rng.int(4) }, () => ({ n: 2 + rng.int(4), steps: Array.from({ length: ranks }, step) }));
      expect(distinctPositions(ranks, moves), JSON.stringify({ ranks, moves })).toBe(bruteForce(ranks, moves));
    }
  });

  it('counts independent ranks without listing their product: 256 × 256 × 256 × 256 instances in a moment', () => {
    // four loops of 256 on four separate ranks: 2^32 listed positions, 2^32 distinct
    const moves = [0, 1, 2, 3].map((r) => ({ n: 256, steps: [0, 1, 2, 3].map((q) => (q === r ? 1 : 0)) }));
    expect(distinctPositions(4, moves)).toBe(256 ** 4);
    // two loops of 256 sliding one rank: p + r covers 511 places
    expect(distinctPositions(1, [{ n: 256, steps: [1] }, { n: 256, steps: [1] }])).toBe(511);
  });
});
