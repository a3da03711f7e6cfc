import type { Architecture } from '../arch/types.js';
import type { Problem } from '../problem/types.js';

/**
 * Constraints on a mapspace, per storage level: which dims may take a
 * temporal factor above 1, fixed factors, a fixed loop order, which dims may
 * go on each axis of the fan-out below the level, and fixed keep/bypass
 * choices. A dataflow (dataflows.ts) is one such set; user constraint files
 * add to it. `null` means unconstrained.
 */
export interface LevelConstraint {
  temporalDims: Set<number> | null;
  temporalFixed: Map<number, number>;
  /** Loop order outermost first, every dim listed; null = searched. */
  order: number[] | null;
  spatialX: Set<number> | null;
  spatialY: Set<number> | null;
  spatialFixed: Map<number, { axis: 'X' | 'Y'; factor: number }>;
  /** Per data space: 1 keep, 0 bypass, undefined = searched (within what the level allows). */
  keep: (0 | 1 | undefined)[];
}

export interface Constraints {
  name: string;
  levels: LevelConstraint[];
  /** Minimum fraction of the MAC units the spatial factors must use. */
  minUtilization: number;
  /** Spatial factors only divide the dim or fill the axis (canonical dataflow spaces). */
  coarseSpatial: boolean;
}

export function unconstrained(problem: Problem, arch: Architecture, name = 'auto'): Constraints {
  return {
    name,
    levels: arch.levels.map(() => ({
      temporalDims: null,
      temporalFixed: new Map(),
      order: null,
      spatialX: null,
      spatialY: null,
      spatialFixed: new Map(),
      keep: problem.dataSpaces.map(() => undefined),
    })),
    minUtilization: 0,
    coarseSpatial: false,
  };
}

/** Dims that may go on an axis of level l's fan-out. */
export function spatialAllowed(c: LevelConstraint, axis: 'X' | 'Y', d: number): boolean {
  const set = axis === 'X' ? c.spatialX : c.spatialY;
  return set === null || set.has(d);
}
