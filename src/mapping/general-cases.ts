/**
 * The two rare general cases of the cost model, which the kernel
 * (assembly/costmodel.ts) hands to the host: pure functions of the loops
 * involved, which the host (model.ts) reads out of the kernel's arrays and
 * passes in.
 */

/** A spatial loop moving a data space's tile: its instances and, per rank of the data space, how far one instance is from the next (≥ 0). */
export interface SpatialMove {
  n: number;
  steps: number[];
}

/**
 * Distinct positions of a tile moved by merging spatial loops (children a
 * parent serves with one multicast read or one reduced update): for three or
 * more loops on one rank, or a dim indexing several ranks. Ranks that no
 * loop moves together are independent, so the count is the product over
 * groups of ranks joined by some loop (a 256 × 256 fan-out once took seconds
 * per evaluation when the product of the loops' counts was listed). Within
 * a group, a position is one number (mixed radix over the ranks' spans,
 * `groupPositions`), counted on a bitmap or in a set.
 */
export function distinctPositions(ranks: number, moves: readonly SpatialMove[]): number {
  const group = Array.from({ length: ranks }, (_, r) => r);
  const find = (r: number): number => (group[r] === r ? r : (group[r] = find(group[r]!)));
  for (const { steps } of moves) {
    let first = -1;
    for (let r = 0; r < ranks; r++) {
      if (!steps[r]) continue;
      if (first < 0) first = r;
      else group[find(r)] = find(first);
    }
  }
  let count = 1;
  for (let root = 0; root < ranks; root++) {
    if (find(root) !== root) continue;
    const own: number[] = [];
    for (let r = 0; r < ranks; r++) if (find(r) === root) own.push(r);
    count *= groupPositions(own, moves);
  }
  return count;
}

/** Positions counted on a bitmap (`coveredPositions`) up to this many (mixed-radix) places; beyond, in a set. */
const BITMAP_PLACES = 1 << 20;

/**
 * Distinct positions of one group of ranks: each position encoded as
 * Σ offset_r · radix_r, where rank r's radix is the product of the spans
 * (largest offset + 1) of the ranks before it, so that moving a position by a
 * loop adds one number and the group is one rank covered by a tile of one
 * place (`coveredPositions`), where it has at most BITMAP_PLACES places and no
 * more than the loops' listed positions; otherwise merged in a set after
 * every loop. Steps are never negative: the model refuses negative
 * projection coefficients.
 */
function groupPositions(own: readonly number[], moves: readonly SpatialMove[]): number {
  let places = 1, listed = 1;
  const radix: number[] = [];
  for (const r of own) {
    let span = 1;
    for (const { n, steps } of moves) span += steps[r]! * (n - 1);
    radix.push(places);
    places *= span;
  }
  const loops: RankMove[] = [];
  for (const { n, steps } of moves) {
    let step = 0;
    own.forEach((r, k) => (step += steps[r]! * radix[k]!));
    if (step === 0) continue;
    loops.push({ n, step });
    listed *= n;
  }
  if (places <= BITMAP_PLACES && places <= listed) return coveredPositions(1, loops);
  let positions = [0];
  for (const { n, step } of loops) {
    const next = new Set<number>();
    for (const p of positions) for (let i = 0; i < n; i++) next.add(p + step * i);
    positions = [...next];
  }
  return positions.length;
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
