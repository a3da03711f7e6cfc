// The constants the cost-model kernel (assembly/costmodel.ts) and its host
// (src/mapping/kernel.ts, model.ts) share, in one table. scripts/build.mjs
// writes them out for both sides: assembly/generated/contract.ts (AssemblyScript)
// and src/generated/kernel-contract.ts (TypeScript).

/** Why a mapping is invalid: the kernel's evaluate() returns one of these (0: valid). */
export const INVALID = {
  none: 0,
  /** A dimension's factors do not cover its bound. */
  factors: 1,
  /** Spatial factors exceed a fan-out's mesh. */
  fanOut: 2,
  /** Kept tiles exceed a level's capacity. */
  capacity: 3,
  /** A level keeps a data space its spec does not allow, or the outermost level does not keep everything. */
  keep: 4,
  /** A level's loop order does not list every dim exactly once. */
  order: 5,
};

/** Scalar inputs: their indices in the kernel's `params` array. */
export const PARAMS = ['macsPerCycle', 'energyPerMac', 'leakPjPerCycle', 'realMacs', 'macUnits', 'elide', 'timeloop', 'lanes'];

/** Scalar results: their indices in the kernel's `out` array. */
export const OUT = ['invalidCode', 'invalidWhere', 'invalidValue', 'computeCycles', 'cycles', 'paddedMacs', 'usedUnits', 'macEnergyPj', 'leakEnergyPj', 'totalEnergyPj', 'utilization', 'loops', 'laneIterations'];

/** The rank of data space s that dim d indexes (dimRank): a rank ≥ 0, or one of these. */
export const RANK = {
  /** The dim indexes no rank of the data space. */
  NONE: -1,
  /** The dim indexes several ranks. */
  MANY: -2,
};

/** Spatial terms per rank the kernel counts in closed form; more are listed by the host. */
export const MAX_RANK_TERMS = 4;
