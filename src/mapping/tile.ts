import type { Projection } from '../problem/types.js';

/**
 * The tile rule (Timeloop's): a level's tile of a data space is the
 * axis-aligned box its loops span, per tensor rank 1 + Σ coef·(tile of the
 * dim − 1), where a dim's tile is the product of its factors at that level
 * and below. The kernel's `box` (assembly/costmodel.ts) computes the same in
 * AssemblyScript; the mapper's capacity pruning (search/space.ts) and the
 * brute-force reference (reference.ts) use these.
 */
export function rankExtent(terms: Projection, dimTiles: ArrayLike<number>, offset = 0): number {
  let e = 1;
  for (const t of terms) e += t.coef * (dimTiles[offset + t.dim]! - 1);
  return e;
}

/** Words in the tile: the product of its rank extents. `dimTiles[offset + d]` is dim d's tile. */
export function tileWords(ranks: readonly Projection[], dimTiles: ArrayLike<number>, offset = 0): number {
  let size = 1;
  for (const terms of ranks) size *= rankExtent(terms, dimTiles, offset);
  return size;
}
