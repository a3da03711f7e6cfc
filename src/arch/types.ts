import { AccelmapError } from '../util/errors.js';

/**
 * A validated, normalized accelerator: storage levels from the outermost
 * (DRAM) to the innermost (registers), a compute unit at the leaves, and the
 * spatial fan-out between consecutive levels. Plain data; produced by
 * `loadArch` from a spec file (see presets/arch/ for examples).
 *
 * Counting conventions follow Timeloop: capacities, bandwidths and access
 * counts are in words of the level's word width; energies are per access of
 * one block (`blockSize` words); everything is per instance unless named
 * `total…`.
 */
export type StorageClass = 'dram' | 'sram' | 'regfile';

/** The spatial fan-out from a parent level into this level's instances (or the MACs). */
export interface FanOut {
  /** Instances per parent instance along X and Y. */
  meshX: number;
  meshY: number;
  /** One parent read can feed every child that needs the same word. */
  multicast: boolean;
  /** Partial sums from children that hold the same output are added on the way up. */
  reduction: boolean;
  /** Energy (pJ) per word moved across this fan-out (each distinct word counted once). */
  energyPerWordPj: number;
}

export interface ActionEnergy {
  /** pJ per block read. */
  readPj: number;
  /** pJ per block written with data from the parent. */
  fillPj: number;
  /** pJ per block written by a child (partial sums). */
  updatePj: number;
  /** pJ per cycle per instance. */
  leakPjPerCycle: number;
}

export interface StorageLevel {
  name: string;
  className: StorageClass;
  /** Fan-out from the parent level into this level (1×1 for the outermost level). */
  fanOut: FanOut;
  /** Total instances (the product of the fan-outs above and at this level). */
  instances: number;
  /** Capacity per instance in words; Infinity when unbounded (DRAM). */
  capacityWords: number;
  wordBits: number;
  /** Words per access (an access of fewer words costs a whole block). */
  blockSize: number;
  /** Words per cycle per instance; Infinity when unconstrained. */
  readBandwidth: number;
  writeBandwidth: number;
  /** Reads and writes together, words per cycle per instance. */
  sharedBandwidth: number;
  /** Data spaces this level may hold; null = any. */
  dataSpaces: string[] | null;
  /** Capacity is divided by this (2 = double-buffered). */
  multipleBuffering: number;
  /** Instances accessed together (Timeloop's cluster size, 1 by default): under Timeloop's convention an access costs its energy once per utilized cluster. */
  clusterSize: number;
  energy: ActionEnergy;
  energySource: string;
  areaUm2: number;
  areaSource: string;
}

export interface PrecisionMode {
  name: string;
  kind: 'int' | 'float';
  operandBits: number;
  accumulatorBits: number;
  /** MACs per cycle per MAC unit in this mode. */
  macsPerCycle: number;
  energyPerMacPj: number;
  energySource: string;
}

export interface ComputeUnit {
  name: string;
  /** Fan-out from the innermost storage level into the MAC units. */
  fanOut: FanOut;
  /** Total MAC units. */
  instances: number;
  /** The first mode is the default. */
  precisions: PrecisionMode[];
  /** Area of one MAC unit. */
  areaUm2: number;
  areaSource: string;
}

/** Executes ops without MACs (element-wise, reductions, softmax, data movement). */
export interface VectorUnit {
  lanes: number;
  opsPerCyclePerLane: number;
  energyPerOpPj: number;
  energySource: string;
  areaUm2: number;
}

export interface Interconnect {
  /** Identical cores (or chips) that a layer can be partitioned across. */
  count: number;
  topology: 'ring' | 'mesh';
  /** For a mesh: cores along X (count / meshX along Y). */
  meshX: number;
  /** Per link and direction. */
  linkBandwidthBytesPerCycle: number;
  linkLatencyCycles: number;
  linkEnergyPerBytePj: number;
}

export interface Architecture {
  name: string;
  description: string;
  technologyNm: number;
  clockHz: number;
  /** Outermost first. */
  levels: StorageLevel[];
  compute: ComputeUnit;
  vector: VectorUnit;
  cores: Interconnect;
  /** Where the spec's figures come from. */
  sources: string[];
}

/** Peak MACs per cycle of one core in a precision mode. */
export function peakMacsPerCycle(arch: Architecture, precision: PrecisionMode = arch.compute.precisions[0]!): number {
  return arch.compute.instances * precision.macsPerCycle;
}

export function findPrecision(arch: Architecture, name: string | undefined): PrecisionMode {
  if (name === undefined) return arch.compute.precisions[0]!;
  const p = arch.compute.precisions.find((x) => x.name === name);
  if (!p) throw new AccelmapError('bad-flag', `architecture ${arch.name} has no precision '${name}'`, {}, `its precisions: ${arch.compute.precisions.map((x) => x.name).join(', ')}`);
  return p;
}
