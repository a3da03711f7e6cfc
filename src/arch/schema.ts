import { z } from 'zod';

/**
 * The architecture spec file format (YAML or JSON), validated before it is
 * normalized into an `Architecture`. Sizes may be written with units
 * (`108KB`, `24MiB`), bandwidths in words per cycle or with units
 * (`34GB/s`, `128B/cycle`), the clock in Hz or with a unit (`700MHz`), the
 * technology node in nm (`65` or `65nm`).
 */
const positiveInt = z.number().int().min(1);
const quantity = z.union([z.number().positive(), z.string().min(1)]);

export const fanOutSchema = z
  .object({
    x: positiveInt.optional(),
    y: positiveInt.optional(),
    multicast: z.boolean().optional(),
    reduction: z.boolean().optional(),
    /** pJ per word moved across the fan-out; derived from the energy table when absent. */
    energyPerWord: z.number().min(0).optional(),
  })
  .strict();

const energySchema = z
  .object({
    read: z.number().min(0).optional(),
    fill: z.number().min(0).optional(),
    update: z.number().min(0).optional(),
    leak: z.number().min(0).optional(),
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
    words: positiveInt.optional(),
    wordBits: positiveInt.optional(),
    blockSize: positiveInt.optional(),
    readBandwidth: quantity.optional(),
    writeBandwidth: quantity.optional(),
    sharedBandwidth: quantity.optional(),
    dataSpaces: z.array(z.string().min(1)).min(1).optional(),
    multipleBuffering: z.number().min(1).optional(),
    /** pJ per block access (and pJ per cycle per instance for leak); derived when absent. */
    energy: energySchema.optional(),
    /** µm² per instance; derived when absent. */
    area: z.number().min(0).optional(),
    source: z.string().optional(),
  })
  .strict();

const precisionSchema = z
  .object({
    name: z.string().min(1),
    kind: z.enum(['int', 'float']).optional(),
    operandBits: positiveInt,
    accumulatorBits: positiveInt.optional(),
    macsPerCycle: z.number().positive().optional(),
    /** pJ per MAC; derived when absent. */
    energyPerMac: z.number().min(0).optional(),
    source: z.string().optional(),
  })
  .strict();

const computeSchema = z
  .object({
    name: z.string().min(1).optional(),
    fanOut: fanOutSchema.optional(),
    precisions: z.array(precisionSchema).min(1),
    area: z.number().min(0).optional(),
  })
  .strict();

const vectorSchema = z
  .object({
    lanes: positiveInt,
    opsPerCyclePerLane: z.number().positive().optional(),
    energyPerOp: z.number().min(0).optional(),
    area: z.number().min(0).optional(),
  })
  .strict();

const coresSchema = z
  .object({
    count: positiveInt,
    topology: z.enum(['ring', 'mesh']).optional(),
    meshX: positiveInt.optional(),
    /** Per link and direction: bytes per cycle or with a unit (`128B/cycle`, `25GB/s`). */
    linkBandwidth: quantity,
    linkLatencyCycles: z.number().min(0).optional(),
    linkEnergyPerByte: z.number().min(0).optional(),
  })
  .strict();

export const archSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    technology: z.union([z.number().positive(), z.string().min(1)]),
    clock: quantity,
    /** Default word width of every level. */
    wordBits: positiveInt.optional(),
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
