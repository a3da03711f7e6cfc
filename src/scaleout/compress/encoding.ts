/**
 * Honest sizes of compressed gradients, in bits, split by what they carry.
 * A float scale or threshold costs 32 bits; a count 32 bits; positions of
 * sparse elements cost whichever of the encodings below is cheapest, plus
 * two bits saying which one was used.
 */
export interface SizeBits {
  /** Counts and format selectors. */
  header: number;
  /** Positions of the elements sent (sparse formats). */
  index: number;
  /** The elements' values (signs, levels or floats). */
  value: number;
  /** Scales, norms and thresholds. */
  scale: number;
}

export const FLOAT_BITS = 32;
export const COUNT_BITS = 32;
const FORMAT_SELECTOR_BITS = 2;

export function totalBits(s: SizeBits): number {
  return s.header + s.index + s.value + s.scale;
}

export function addBits(a: SizeBits, b: SizeBits): SizeBits {
  return { header: a.header + b.header, index: a.index + b.index, value: a.value + b.value, scale: a.scale + b.scale };
}

export const NO_BITS: SizeBits = { header: 0, index: 0, value: 0, scale: 0 };

/** Bits to tell apart `count` values (0 for a single value). */
export function bitsFor(count: number): number {
  return count <= 1 ? 0 : Math.ceil(Math.log2(count));
}

/**
 * Position bits for `k` of `n` elements, the cheapest of: a list of absolute
 * positions (k·⌈log₂n⌉), a bitmap (n), and — when `binLength` L is given —
 * per bin of L elements a count (⌈log₂(L+1)⌉) and per element its offset in
 * the bin (⌈log₂L⌉).
 */
export function indexBits(n: number, k: number, binLength?: number): number {
  let best = Math.min(k * bitsFor(n), n);
  if (binLength !== undefined) best = Math.min(best, Math.ceil(n / binLength) * bitsFor(binLength + 1) + k * bitsFor(binLength));
  return best + FORMAT_SELECTOR_BITS;
}

/** A sparse message: a count, positions, `valueBits` per element and `scales` 32-bit scales. */
export function sparseBits(n: number, k: number, valueBits: number, scales: number, binLength?: number): SizeBits {
  return { header: COUNT_BITS, index: indexBits(n, k, binLength), value: k * valueBits, scale: scales * FLOAT_BITS };
}

/** A dense message: `valueBits` per element and one 32-bit scale per bucket. */
export function denseBits(n: number, valueBits: number, buckets: number): SizeBits {
  return { header: 0, index: 0, value: n * valueBits, scale: buckets * FLOAT_BITS };
}
