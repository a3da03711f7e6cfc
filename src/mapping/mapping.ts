import type { Architecture } from '../arch/types.js';
import type { Problem } from '../problem/types.js';

/**
 * A mapping in the typed-array form the cost model and the mapper work on.
 * Levels are the architecture's storage levels, outermost first; dims are the
 * problem's dims; data spaces are the problem's data spaces.
 *
 * The loop nest a mapping describes, outermost first:
 *   level 0 temporal loops (in `order`), level 0 spatial loops (fan-out into level 1),
 *   level 1 temporal loops, level 1 spatial loops, …,
 *   level L−1 temporal loops, level L−1 spatial loops (fan-out into the MACs), MAC.
 * Level l's tile is everything from its temporal loops inward.
 *
 * A dimension whose factors multiply to more than its bound is padded: the
 * nest runs over the padded bound (the last tile is filled out with padding),
 * the padding is counted as executed iterations and moved data, and
 * utilization compares the problem's own MACs with the cycles spent.
 */
export interface MappingArrays {
  levels: number;
  dims: number;
  dataSpaces: number;
  /** Temporal factor of dim d at level l: [l * dims + d]. */
  temporal: Int32Array;
  /** Spatial factors (fan-out below level l) along X and Y: [l * dims + d]. */
  spatialX: Int32Array;
  spatialY: Int32Array;
  /** Loop order at level l, outermost first: [l * dims + k] = the dim at position k (every dim listed once). */
  order: Int8Array;
  /** 1 when level l keeps data space s: [l * dataSpaces + s]. */
  keep: Uint8Array;
  /** The five arrays above are views of this one buffer, in this order: the cost model copies a mapping in one go. */
  bytes: Uint8Array;
}

/** Bytes of a mapping's buffer: three Int32 arrays and the order over levels × dims, then the keep bits. */
export function mappingBytes(levels: number, dims: number, dataSpaces: number): number {
  return 13 * levels * dims + levels * dataSpaces;
}

/** The five arrays as views of one buffer, so that a mapping sits in a few adjacent cache lines. */
function allocate(levels: number, dims: number, dataSpaces: number): MappingArrays {
  const n = levels * dims;
  const buffer = new ArrayBuffer(mappingBytes(levels, dims, dataSpaces));
  return {
    levels,
    dims,
    dataSpaces,
    temporal: new Int32Array(buffer, 0, n),
    spatialX: new Int32Array(buffer, 4 * n, n),
    spatialY: new Int32Array(buffer, 8 * n, n),
    order: new Int8Array(buffer, 12 * n, n),
    keep: new Uint8Array(buffer, 13 * n, levels * dataSpaces),
    bytes: new Uint8Array(buffer),
  };
}

export function emptyMapping(levels: number, dims: number, dataSpaces: number): MappingArrays {
  const m = allocate(levels, dims, dataSpaces);
  m.temporal.fill(1);
  m.spatialX.fill(1);
  m.spatialY.fill(1);
  m.keep.fill(1);
  for (let l = 0; l < levels; l++) for (let d = 0; d < dims; d++) m.order[l * dims + d] = d;
  return m;
}

/** An empty mapping sized for a problem on an architecture (all factors 1, everything kept). */
export function mappingFor(problem: Problem, arch: Architecture): MappingArrays {
  return emptyMapping(arch.levels.length, problem.dims.length, problem.dataSpaces.length);
}

/** A mapping from its buffer (`MappingArrays.bytes`: how a mapping crosses between threads). */
export function mappingFromBytes(problem: Problem, arch: Architecture, bytes: Uint8Array): MappingArrays {
  const m = mappingFor(problem, arch);
  m.bytes.set(bytes);
  return m;
}

export function cloneMapping(m: MappingArrays): MappingArrays {
  const c = allocate(m.levels, m.dims, m.dataSpaces);
  copyMapping(m, c);
  return c;
}

export function copyMapping(from: MappingArrays, to: MappingArrays): void {
  to.bytes.set(from.bytes);
}

/** Product of every factor of dim d over all levels (the padded bound). */
export function paddedBound(m: MappingArrays, d: number): number {
  let p = 1;
  for (let l = 0; l < m.levels; l++) {
    const i = l * m.dims + d;
    p *= m.temporal[i]! * m.spatialX[i]! * m.spatialY[i]!;
  }
  return p;
}
