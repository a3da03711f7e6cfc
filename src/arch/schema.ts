import { z } from 'zod';
import { ranged, type Range } from '../util/ranges.js';

/**
 * The architecture spec file format (YAML or JSON), validated before it is
 * normalized into an `Architecture`. Sizes may be written with units
 * (`108KB`, `24MiB`), bandwidths in words per cycle or with units
 * (`34GB/s`, `128B/cycle`), the clock in Hz or with a unit (`700MHz`), the
 * technology node in nm (`65` or `65nm`).
 *
 * Every number has a physical range (`ARCH_RANGES`): the schema checks
 * numbers written as numbers; `load.ts` checks the ones written with units
 * once they are converted, against the same ranges.
 */
const ENERGY_WHY = 'pJ per access or operation; 1 µJ is beyond any memory or MAC';
export const ARCH_RANGES = {
  technologyNm: { min: 1, max: 1000, unit: 'nm', why: 'CMOS nodes span about 2 nm to 1 µm' },
  clockHz: { min: 1e3, max: 1e11, unit: 'Hz', why: 'digital logic runs between kHz and tens of GHz' },
  wordBits: { min: 1, max: 64, integer: true, why: 'a machine word is 1 to 64 bits' },
  operandBits: { min: 1, max: 64, integer: true, why: 'a MAC operand is 1 to 64 bits' },
  accumulatorBits: { min: 1, max: 128, integer: true, why: 'an accumulator is 1 to 128 bits' },
  capacityBytes: { min: 0, max: 2 ** 50, minExclusive: true, unit: 'bytes', why: 'a level holds at least one word, and no single memory holds more than 1 PiB' },
  words: { min: 1, max: 2 ** 50, integer: true, why: 'a level holds at least one word, and no single memory holds more than 1 PiB' },
  blockSize: { min: 1, max: 65536, integer: true, why: 'words per access; no memory port is wider than 65,536 words' },
  bandwidth: { min: 1e-6, max: 1e9, why: 'per cycle, no port is slower than a word per million cycles or faster than a billion words' },
  fanOut: { min: 1, max: 65536, integer: true, why: 'instances along one axis of a fan-out; the largest arrays have a few thousand' },
  multipleBuffering: { min: 1, max: 16, why: 'copies of a tile a level holds; 2 is double buffering' },
  accessEnergy: { min: 0, max: 1e6, unit: 'pJ', why: ENERGY_WHY },
  macEnergy: { min: 0, max: 1e6, minExclusive: true, unit: 'pJ', why: `a MAC costs energy; ${ENERGY_WHY}` },
  areaUm2: { min: 0, max: 1e12, unit: 'µm²', why: 'a whole wafer is under 1e11 µm²' },
  macsPerCycle: { min: 0, max: 4096, minExclusive: true, why: 'MACs per cycle of one MAC unit in one precision' },
  lanes: { min: 1, max: 65536, integer: true, why: 'lanes of the vector unit' },
  opsPerCyclePerLane: { min: 0, max: 4096, minExclusive: true, why: 'operations per cycle of one vector lane' },
  coreCount: { min: 1, max: 1024, integer: true, why: 'cores a layer is split across; the split search is sized for at most 1,024' },
  linkBandwidthBytes: { min: 1e-6, max: 1e9, unit: 'bytes per cycle', why: 'no link is slower than a byte per million cycles or faster than a billion bytes per cycle' },
  linkLatencyCycles: { min: 0, max: 1e9, unit: 'cycles', why: 'a link delivers within a billion cycles' },
  linkEnergyPerByte: { min: 0, max: 1e6, unit: 'pJ', why: 'pJ per byte over a link; 1 µJ per byte is beyond any link' },
} satisfies Record<string, Range>;

const R = ARCH_RANGES;
/** A number written as a number, or text with a unit that load.ts converts and range-checks. */
const quantity = z.custom<number | string>((v) => typeof v === 'number' || (typeof v === 'string' && v.trim().length > 0), {
  error: 'must be a number or a quantity with a unit (108KiB, 34GB/s, 700MHz)',
});

export const fanOutSchema = z
  .object({
    x: ranged(R.fanOut).optional(),
    y: ranged(R.fanOut).optional(),
    multicast: z.boolean().optional(),
    reduction: z.boolean().optional(),
    /** pJ per word moved across the fan-out; derived from the energy table when absent. */
    energyPerWord: ranged(R.accessEnergy).optional(),
  })
  .strict();

const energySchema = z
  .object({
    read: ranged(R.accessEnergy).optional(),
    fill: ranged(R.accessEnergy).optional(),
    update: ranged(R.accessEnergy).optional(),
    leak: ranged(R.accessEnergy).optional(),
  })
  .strict();

export const levelSchema = z
  .object({
    name: z.string().min(1),
    class: z.enum(['dram', 'sram', 'regfile']),
    /** DRAM flavour for derived energies. */
    dram: z.enum(['ddr', 'hbm']).optional(),
    fanOut: fanOutSchema.optional(),
    /** Bytes (with or without a unit) … */
    capacity: quantity.optional(),
    /** … or words. */
    words: ranged(R.words).optional(),
    wordBits: ranged(R.wordBits).optional(),
    blockSize: ranged(R.blockSize).optional(),
    readBandwidth: quantity.optional(),
    writeBandwidth: quantity.optional(),
    sharedBandwidth: quantity.optional(),
    dataSpaces: z.array(z.string().min(1)).min(1).optional(),
    multipleBuffering: ranged(R.multipleBuffering).optional(),
    /** Instances accessed together as one (Timeloop's cluster size); only --convention timeloop charges per cluster. */
    clusterSize: ranged(R.fanOut).optional(),
    /** pJ per block access (and pJ per cycle per instance for leak); derived when absent. */
    energy: energySchema.optional(),
    /** µm² per instance; derived when absent. */
    area: ranged(R.areaUm2).optional(),
    source: z.string().optional(),
  })
  .strict();

const precisionSchema = z
  .object({
    name: z.string().min(1),
    kind: z.enum(['int', 'float']).optional(),
    operandBits: ranged(R.operandBits),
    accumulatorBits: ranged(R.accumulatorBits).optional(),
    macsPerCycle: ranged(R.macsPerCycle).optional(),
    /** pJ per MAC; derived when absent. */
    energyPerMac: ranged(R.macEnergy).optional(),
    source: z.string().optional(),
  })
  .strict();

const computeSchema = z
  .object({
    name: z.string().min(1).optional(),
    fanOut: fanOutSchema.optional(),
    precisions: z.array(precisionSchema).min(1),
    area: ranged(R.areaUm2).optional(),
  })
  .strict();

const vectorSchema = z
  .object({
    lanes: ranged(R.lanes),
    opsPerCyclePerLane: ranged(R.opsPerCyclePerLane).optional(),
    energyPerOp: ranged(R.accessEnergy).optional(),
    area: ranged(R.areaUm2).optional(),
  })
  .strict();

const coresSchema = z
  .object({
    count: ranged(R.coreCount),
    topology: z.enum(['ring', 'mesh']).optional(),
    meshX: ranged(R.coreCount).optional(),
    /** Per link and direction: bytes per cycle or with a unit (`128B/cycle`, `25GB/s`). */
    linkBandwidth: quantity,
    linkLatencyCycles: ranged(R.linkLatencyCycles).optional(),
    linkEnergyPerByte: ranged(R.linkEnergyPerByte).optional(),
  })
  .strict();

export const archSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    technology: quantity,
    clock: quantity,
    /** Default word width of every level. */
    wordBits: ranged(R.wordBits).optional(),
    levels: z.array(levelSchema).min(1),
    compute: computeSchema,
    vector: vectorSchema.optional(),
    cores: coresSchema.optional(),
    sources: z.array(z.string()).optional(),
  })
  .strict();

export type ArchSpec = z.infer<typeof archSchema>;
export type LevelSpec = z.infer<typeof levelSchema>;
export type FanOutSpec = z.infer<typeof fanOutSchema>;
