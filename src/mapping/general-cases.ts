/**
 * The two rare general cases of the cost model, which the kernel
 * (assembly/costmodel.ts) hands to the host: pure functions of the loops
 * involved, which the host (model.ts) reads out of the kernel's arrays and
 * passes in.
 */

/** A spatial loop moving a data space's tile: its instances and, per rank of the data space, how far one instance is from the next. */
export interface SpatialMove {
  n: number;
  steps: number[];
}

/**
 * Distinct positions of a tile moved by merging spatial loops (children a
 * parent serves with one multicast read or one reduced update), listed: for
 * three or more loops on one rank, or a dim indexing several ranks. Ranks
 * that no loop moves together are independent, so the count is the product
 * over groups of ranks joined by some loop; within a group, equal positions
 * are merged after every loop (their extensions are equal too). The lists so
 * stay within the distinct positions of a group, whatever the product of the
 * loops' counts (a 256 × 256 fan-out once took seconds per evaluation).
 */
export function distinctPositions(ranks: number, moves: readonly SpatialMove[]): number {
  const group = Array.from({ length: ranks }, (_, r) => r);
  const find = (r: number): number => (group[r] === r ? r : (group[r] = find(group[r]!)));
  for (const { steps } of moves) {
    const moved = steps.flatMap((c, r) => (c ? [r] : []));
    for (const r of moved.slice(1)) group[find(r)] = find(moved[0]!);
  }
  let count = 1;
  for (let root = 0; root < ranks; root++) {
    if (find(root) !== root) continue;
    const own = group.flatMap((_, r) => (find(r) === root ? [r] : []));
    let positions: number[][] = [own.map(() => 0)];
    for (const { n, steps } of moves) {
      if (!own.some((r) => steps[r])) continue;
      const next = new Map<string, number[]>();
      for (const p of positions) {
        for (let i = 0; i < n; i++) {
          const q = own.map((r, j) => p[j]! + steps[r]! * i);
          next.set(q.join(','), q);
        }
      }
      positions = [...next.values()];
    }
    count *= positions.length;
  }
  return count;
}

/** A temporal loop moving a tile along one rank: its iterations and how far one iteration moves it. */
export interface RankMove {
  n: number;
  step: number;
}

let bitmap = new Uint8Array(1024);

/**
 * Positions along one rank covered by a tile of extent `ext` moved by the
 * loops, inner to outer (an output rank with a sliding window: the partition
 * one instance holds), counted on a bitmap.
 */
export function coveredPositions(ext: number, moves: readonly RankMove[]): number {
  let size = ext;
  for (const m of moves) size += m.step * (m.n - 1);
  if (bitmap.length < size) bitmap = new Uint8Array(size * 2);
  const bits = bitmap;
  bits.fill(0, 0, size);
  bits.fill(1, 0, ext);
  let span = ext;
  for (const { n, step } of moves) {
    if (step === 0) continue;
    for (let x = span - 1; x >= 0; x--) {
      if (!bits[x]) continue;
      for (let i = 1; i < n; i++) bits[x + step * i] = 1;
    }
    span += step * (n - 1);
  }
  let count = 0;
  for (let x = 0; x < span; x++) count += bits[x]!;
  return count;
}
