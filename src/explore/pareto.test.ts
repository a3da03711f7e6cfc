import { describe, expect, it } from 'vitest';
import { Rng } from '../util/rng.js';
import { crowdingDistance, hypervolume, nondominatedSort, paretoFront } from './pareto.js';

/** Brute force: a point is on the front when no other point is ≤ in every objective and < in one. */
function bruteFront(points: number[][]): number[] {
  return points.flatMap((p, i) => (points.some((q) => q.every((x, k) => x <= p[k]!) && q.some((x, k) => x < p[k]!)) ? [] : [i]));
}

describe('pareto', () => {
  it('matches a brute-force front on random point sets (with ties and duplicates)', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + rng.int(40), m = 1 + rng.int(4);
      const points = Array.from({ length: n }, () => Array.from({ length: m }, () => rng.int(6)));
      expect(paretoFront(points), JSON.stringify(points)).toEqual(bruteFront(points));
    }
  });

  it('sorts into fronts where each front is the brute-force front of what remains', () => {
    const rng = new Rng(11);
    const points = Array.from({ length: 30 }, () => [rng.int(10), rng.int(10), rng.int(10)]);
    let remaining = [...points.keys()];
    for (const front of nondominatedSort(points)) {
      const expected = bruteFront(remaining.map((i) => points[i]!)).map((j) => remaining[j]!);
      expect([...front].sort((a, b) => a - b)).toEqual(expected);
      remaining = remaining.filter((i) => !front.includes(i));
    }
    expect(remaining).toEqual([]);
  });

  it('gives crowding distances by hand: ends infinite, inner points the normalized gap of their neighbours', () => {
    // Two objectives, points on a line: (0,4) (1,3) (3,1) (4,0); ranges 4 and 4.
    const pts = [[0, 4], [1, 3], [3, 1], [4, 0]];
    // (1,3): (3-0)/4 + (4-1)/4 = 1.5; (3,1): (4-1)/4 + (3-0)/4 = 1.5
    expect(crowdingDistance(pts, [0, 1, 2, 3])).toEqual([Infinity, 1.5, 1.5, Infinity]);
  });

  it('measures the hypervolume as the count of unit cells dominated on an integer grid', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 30; trial++) {
      const m = 1 + rng.int(3), ref = Array.from({ length: m }, () => 6);
      const points = Array.from({ length: 1 + rng.int(8) }, () => Array.from({ length: m }, () => rng.int(7)));
      // brute force: a unit cell [c, c+1) is dominated when some point is ≤ its corner c in every objective
      let cells = 0;
      const corner = new Array<number>(m).fill(0);
      for (let i = 0; i < 6 ** m; i++) {
        for (let k = 0, x = i; k < m; k++, x = Math.floor(x / 6)) corner[k] = x % 6;
        if (points.some((p) => p.every((x, k) => x <= corner[k]!))) cells++;
      }
      expect(hypervolume(points, ref), JSON.stringify(points)).toBe(cells);
    }
  });
});

