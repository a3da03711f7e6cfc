import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { archFromSpec } from '../arch/load.js';
import { summarizeArch } from '../arch/summary.js';
import type { Architecture } from '../arch/types.js';
import { AccelmapError } from '../util/errors.js';
import { presetPath } from '../util/paths.js';
import { locatedError, readSourceFile, zodIssueError, type SourceDoc } from '../util/source-file.js';
import { parseBytes } from '../util/units.js';
import { powerAt, powerModel, unboundedLevel, type PowerModel } from './power.js';
import { designTarget, targetArch, type TargetSpace } from './target-space.js';
import { applyOverrides, targetSource } from '../targets/vta/spec.js';
import { applyPipelineDepth, PIPELINE_DEPTH, rescaleMacBits, variesOperandBits, type PipelineModel } from './knob-models.js';

/**
 * A hardware design space, written as YAML over an architecture spec: each
 * knob is a path into the spec (`levels[name=GlobalBuffer].capacity`,
 * `levels[name=InputSpad].fanOut.x`, `clock`, `cores.count`) with its values
 * (a list, or a linear or geometric range); constraints drop designs before
 * anything is mapped, judged by the arch module's own area model.
 */
const SPACE_HINT = 'see presets/spaces/eyeriss.yaml for the format';

const scalar = z.union([z.number(), z.string().min(1), z.boolean()]);
const rangeSchema = z
  .object({
    min: z.number(),
    max: z.number(),
    /** Linear step … */
    step: z.number().positive().optional(),
    /** … or a geometric factor (> 1). */
    factor: z.number().gt(1).optional(),
  })
  .strict()
  .refine((r) => r.max >= r.min, { error: 'max must be ≥ min' })
  .refine((r) => (r.step === undefined) !== (r.factor === undefined), { error: 'give exactly one of step or factor' });

const knobSchema = z
  .object({
    path: z.string().min(1),
    /** Short name in tables (default: the path). */
    name: z.string().min(1).optional(),
    values: z.array(scalar).min(1).optional(),
    range: rangeSchema.optional(),
  })
  .strict()
  .refine((k) => (k.values === undefined) !== (k.range === undefined), { error: 'give exactly one of values or range' });

const spaceSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** A preset name or a spec file (relative to the space file). */
    arch: z.string().min(1).optional(),
    /** Or a compile target (preset or spec file): knobs are its `--set` keys, designs are compiled and simulated (explore/target-space.ts). */
    target: z.string().min(1).optional(),
    /** With a target: schedules the tuner tries per layer (default 0, the default schedules). */
    tune: z.number().int().min(0).optional(),
    knobs: z.array(knobSchema).min(1),
    /** The clock-vs-depth model a `pipelineDepth` knob uses (explore/knob-models.ts). */
    pipeline: z
      .object({
        logicNs: z.number().positive(),
        latchNs: z.number().positive(),
        energyPerStage: z.number().min(0),
        areaPerStage: z.number().min(0),
        source: z.string().optional(),
      })
      .strict()
      .optional(),
    constraints: z
      .object({
        /** Total area of all cores, mm² (the arch module's area model). */
        maxAreaMm2: z.number().positive().optional(),
        /** On-chip storage (SRAM and register files, all instances and cores): bytes or with a unit (`1MiB`). */
        maxSram: z.union([z.number().positive(), z.string().min(1)]).optional(),
        /** Power cap, W, at a stated activity (0 < activity ≤ 1): the model and its formula are in explore/power.ts. */
        maxPower: z.object({ watts: z.number().positive(), activity: z.number().gt(0).max(1) }).strict().optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((s) => (s.arch === undefined) !== (s.target === undefined), { error: 'give exactly one of arch or target' })
  .refine((s) => s.target !== undefined || s.tune === undefined, { error: 'tune goes with a target' });

export type KnobValue = number | string | boolean;

export interface Knob {
  name: string;
  path: string;
  values: KnobValue[];
}

export interface DesignSpace {
  name: string;
  file: string;
  /** The base spec, as data, before any knob is applied. */
  baseSpec: Record<string, unknown>;
  knobs: Knob[];
  constraints: { maxAreaMm2?: number; maxSramBytes?: number; maxPower?: { watts: number; activity: number } };
  /** The clock-vs-depth model of a `pipelineDepth` knob, when the space has one. */
  pipeline?: PipelineModel;
  /** Set when designs are compiled for a target and simulated instead of mapped. */
  target?: TargetSpace;
}

/** One design: an index into each knob's values. */
export type Design = number[];

/** What a design costs before mapping: the area model's figures. */
export interface DesignStatic {
  areaMm2: number;
  sramBytes: number;
  power: PowerModel;
}

type Segment = { key: string } | { key: string; select: { field: string; value: string } } | { key: string; index: number };

const SEGMENT = /^([A-Za-z_][\w]*)(?:\[(?:(\d+)|([A-Za-z_]\w*)=([^\]]+))\])?$/;

function parsePath(path: string): Segment[] | undefined {
  const out: Segment[] = [];
  for (const part of path.split('.')) {
    const m = SEGMENT.exec(part);
    if (!m) return undefined;
    if (m[2] !== undefined) out.push({ key: m[1]!, index: Number(m[2]) });
    else if (m[3] !== undefined) out.push({ key: m[1]!, select: { field: m[3], value: m[4]! } });
    else out.push({ key: m[1]! });
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sets `path` in `spec` (in place) to `value`; returns a reason when the path does not lead into the spec. */
function setPath(spec: Record<string, unknown>, path: string, value: KnobValue): string | undefined {
  const segs = parsePath(path);
  if (!segs) return `'${path}' is not a path (write e.g. levels[name=GlobalBuffer].capacity)`;
  let node: Record<string, unknown> = spec;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    const last = i === segs.length - 1;
    if ('index' in s || 'select' in s) {
      const list = node[s.key];
      if (!Array.isArray(list)) return `'${s.key}' in '${path}' is not a list in the spec`;
      const item = 'index' in s ? list[s.index] : list.find((x) => isObject(x) && String(x[s.select.field]) === s.select.value);
      if (!isObject(item)) return `'${path}': no ${'index' in s ? `item ${s.index}` : `item with ${s.select.field}=${s.select.value}`} in ${s.key}`;
      if (last) return `'${path}' ends at a list item; name a field of it`;
      node = item;
      continue;
    }
    if (last) {
      node[s.key] = value;
      return undefined;
    }
    const next = node[s.key];
    if (!isObject(next)) return `'${s.key}' in '${path}' is not a section of the spec`;
    node = next;
  }
  return undefined;
}

function rangeValues(r: z.infer<typeof rangeSchema>): number[] {
  const out: number[] = [];
  const eps = 1e-9 * Math.max(1, Math.abs(r.max));
  for (let v = r.min; v <= r.max + eps && out.length <= 10000; v = r.step !== undefined ? v + r.step : v * r.factor!) out.push(Number(v.toPrecision(12)));
  return out;
}

function resolveArch(ref: string, spaceFile: string): SourceDoc {
  const looksLikeFile = /[/\\]/.test(ref) || /\.(ya?ml|json)$/i.test(ref);
  if (looksLikeFile) return readSourceFile(isAbsolute(ref) ? ref : join(dirname(spaceFile), ref), 'bad-spec');
  const preset = presetPath('arch', `${ref.toLowerCase()}.yaml`);
  if (!existsSync(preset)) throw new AccelmapError('bad-spec', `unknown architecture '${ref}'`, { file: spaceFile, path: 'arch' }, 'give a preset name (accelmap arch --list) or a spec file');
  return readSourceFile(preset, 'bad-spec');
}

/** Loads and checks a space file: every knob's path exists and each of its values gives a valid spec on its own. */
export function loadSpace(file: string): DesignSpace {
  const src = readSourceFile(file, 'bad-spec');
  const parsed = spaceSchema.safeParse(src.value);
  if (!parsed.success) throw zodIssueError(parsed.error, src, 'bad-spec', SPACE_HINT);
  const s = parsed.data;
  if (s.target !== undefined) return loadTargetSpace(s, src, file);
  const arch = s.arch!;
  const baseSpec = resolveArch(arch, file).value as Record<string, unknown>;
  let base;
  try {
    base = archFromSpec(baseSpec, arch);
  } catch (e) {
    if (e instanceof AccelmapError) throw new AccelmapError('bad-spec', `base architecture '${arch}' is not valid: ${e.message}`, { file, path: 'arch' });
    throw e;
  }
  const knobs: Knob[] = s.knobs.map((k, i) => {
    const values = k.values ?? rangeValues(k.range!);
    if (new Set(values.map(String)).size !== values.length) throw locatedError('bad-spec', 'values repeat', src, ['knobs', i, k.values ? 'values' : 'range'], SPACE_HINT);
    if (k.path === PIPELINE_DEPTH) {
      if (!s.pipeline) throw locatedError('bad-spec', `a ${PIPELINE_DEPTH} knob needs the space's pipeline: section (logicNs, latchNs, energyPerStage, areaPerStage)`, src, ['knobs', i, 'path'], SPACE_HINT);
      const bad = values.findIndex((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 1);
      if (bad >= 0) throw locatedError('bad-spec', `pipeline depth ${String(values[bad])} is not a whole number of stages ≥ 1`, src, ['knobs', i, k.values ? 'values' : 'range'], SPACE_HINT);
      return { name: k.name ?? k.path, path: k.path, values };
    }
    for (const [j, v] of values.entries()) {
      const spec = structuredClone(baseSpec);
      const reason = setPath(spec, k.path, v);
      if (reason) throw locatedError('bad-spec', reason, src, ['knobs', i, 'path'], SPACE_HINT);
      try {
        archFromSpec(spec, arch);
      } catch (e) {
        if (e instanceof AccelmapError) throw locatedError('bad-spec', `${k.path} = ${String(v)} gives an invalid spec: ${e.message}`, src, ['knobs', i, k.values ? 'values' : 'range', ...(k.values ? [j] : [])]);
        throw e;
      }
    }
    return { name: k.name ?? k.path, path: k.path, values };
  });
  uniqueNames(knobs, src);
  const c = s.constraints ?? {};
  const unbounded = c.maxPower && unboundedLevel(base);
  if (unbounded) throw locatedError('bad-spec', `a power cap needs every on-chip level's bandwidth, and ${unbounded}'s is unbounded`, src, ['constraints', 'maxPower'], `give ${unbounded} a readBandwidth and writeBandwidth, or a sharedBandwidth, in the arch`);
  const maxSramBytes = sramBytesLimit(c, src);
  const pipeline = s.pipeline && { logicNs: s.pipeline.logicNs, latchNs: s.pipeline.latchNs, energyPerStage: s.pipeline.energyPerStage, areaPerStage: s.pipeline.areaPerStage };
  return { name: s.name, file, baseSpec, knobs, constraints: { maxAreaMm2: c.maxAreaMm2, maxSramBytes, maxPower: c.maxPower }, pipeline };
}

type SpaceFile = z.infer<typeof spaceSchema>;

function uniqueNames(knobs: Knob[], src: SourceDoc): void {
  const names = new Set<string>();
  for (const [i, k] of knobs.entries()) {
    if (names.has(k.name)) throw locatedError('bad-spec', `knob '${k.name}' appears twice`, src, ['knobs', i], SPACE_HINT);
    names.add(k.name);
  }
}

const sramBytesLimit = (c: NonNullable<SpaceFile['constraints']>, src: SourceDoc) => (c.maxSram === undefined ? undefined : typeof c.maxSram === 'number' ? c.maxSram : sramLimit(c.maxSram, src));

/** A space over a compile target: every knob path must be a key of the target spec; a combination of values the target refuses (a buffer too deep for the instruction fields, …) is a design the search skips, like one over a constraint. A power cap needs the mapper's access counts, so it is refused. */
function loadTargetSpace(s: SpaceFile, src: SourceDoc, file: string): DesignSpace {
  const ref = /[/\\]/.test(s.target!) || /\.(ya?ml|json)$/i.test(s.target!) ? (isAbsolute(s.target!) ? s.target! : join(dirname(file), s.target!)) : s.target!;
  let base: unknown;
  try {
    base = targetSource(ref).value;
  } catch (e) {
    if (e instanceof AccelmapError) throw locatedError('bad-spec', `target '${s.target}': ${e.message}`, src, ['target'], 'give a target preset (vta) or a target spec file');
    throw e;
  }
  if (s.pipeline) throw locatedError('bad-spec', 'a target space takes its pipeline depths from the target (gemm.pipelineDepth, alu.pipelineDepth); drop pipeline:', src, ['pipeline'], SPACE_HINT);
  if (s.constraints?.maxPower) throw locatedError('bad-spec', 'a power cap needs an energy model, and the compile target has none', src, ['constraints', 'maxPower'], 'use maxAreaMm2 or maxSram');
  const knobs: Knob[] = s.knobs.map((k, i) => {
    const values = k.values ?? rangeValues(k.range!);
    if (new Set(values.map(String)).size !== values.length) throw locatedError('bad-spec', 'values repeat', src, ['knobs', i, k.values ? 'values' : 'range'], SPACE_HINT);
    try {
      applyOverrides(base, values.map((v) => `${k.path}=${String(v)}`));
    } catch (e) {
      if (e instanceof AccelmapError) throw locatedError('bad-spec', `${k.path}: ${e.message}`, src, ['knobs', i, 'path'], 'knob paths are --set keys of the target spec, e.g. blockOut, buffers.input, alu.lanes');
      throw e;
    }
    return { name: k.name ?? k.path, path: k.path, values };
  });
  uniqueNames(knobs, src);
  const c = s.constraints ?? {};
  return { name: s.name, file, baseSpec: {}, knobs, constraints: { maxAreaMm2: c.maxAreaMm2, maxSramBytes: sramBytesLimit(c, src) }, target: { ref, tune: s.tune ?? 0 } };
}

function sramLimit(text: string, src: SourceDoc): number {
  try {
    return parseBytes(text, 'constraints.maxSram');
  } catch (e) {
    if (e instanceof AccelmapError) throw locatedError('bad-spec', e.message, src, ['constraints', 'maxSram'], 'e.g. maxSram: 1MiB');
    throw e;
  }
}

/** Points in the space (before constraints). */
export function spaceSize(space: DesignSpace): number {
  return space.knobs.reduce((n, k) => n * k.values.length, 1);
}

/** The knob values of a design, by knob name. */
export function designKnobs(space: DesignSpace, d: Design): Record<string, KnobValue> {
  return Object.fromEntries(space.knobs.map((k, i) => [k.name, k.values[d[i]!]!]));
}

/**
 * The spec a design describes: the base spec with each knob's value written
 * in, then what those knobs change by the models of explore/knob-models.ts
 * (MAC energy and area vs operand bits; clock, MAC energy and area vs
 * pipeline depth).
 */
export function designSpec(space: DesignSpace, d: Design): Record<string, unknown> {
  if (space.target) {
    const t = designTarget(space, d);
    return { target: t, tune: space.target.tune };
  }
  const spec = structuredClone(space.baseSpec);
  let depth: number | undefined;
  space.knobs.forEach((k, i) => {
    const v = k.values[d[i]!]!;
    if (k.path === PIPELINE_DEPTH) depth = v as number;
    else setPath(spec, k.path, v);
  });
  if (space.knobs.some((k) => variesOperandBits(k.path))) rescaleMacBits(space.baseSpec, spec);
  if (depth !== undefined && space.pipeline) {
    let oneStage;
    try {
      oneStage = archFromSpec(spec, space.name);
    } catch (e) {
      if (e instanceof AccelmapError) return spec; // the combination is invalid whatever the depth: designArch says why
      throw e;
    }
    applyPipelineDepth(spec, space.pipeline, depth, { energyPerMacPj: oneStage.compute.precisions.map((p) => p.energyPerMacPj), areaUm2: oneStage.compute.areaUm2 });
  }
  return spec;
}

/** The architecture of a design, or the reason its combination of knobs is not a valid spec. */
export function designArch(space: DesignSpace, d: Design): Architecture | { invalid: string } {
  if (space.target) {
    const t = designTarget(space, d);
    return 'invalid' in t ? t : targetArch(t);
  }
  try {
    return archFromSpec(designSpec(space, d), space.name);
  } catch (e) {
    if (e instanceof AccelmapError) return { invalid: e.message };
    throw e;
  }
}

/** Area (all cores) and on-chip storage (SRAM and register files, all instances and cores). */
export function designStatic(arch: Architecture): DesignStatic {
  const s = summarizeArch(arch);
  const onChip = s.levels.filter((l) => l.class !== 'dram').reduce((sum, l) => sum + (l.capacityBytes ?? 0) * l.instances, 0);
  return { areaMm2: (s.areaUm2 * s.cores.count) / 1e6, sramBytes: onChip * s.cores.count, power: powerModel(arch) };
}

/** The constraint a design breaks, or undefined when it meets them all. */
export function constraintViolation(space: DesignSpace, st: DesignStatic): string | undefined {
  const c = space.constraints;
  if (c.maxAreaMm2 !== undefined && st.areaMm2 > c.maxAreaMm2) return `area ${st.areaMm2.toFixed(3)} mm² > ${c.maxAreaMm2} mm²`;
  if (c.maxSramBytes !== undefined && st.sramBytes > c.maxSramBytes) return `on-chip storage ${st.sramBytes} B > ${c.maxSramBytes} B`;
  if (c.maxPower !== undefined && powerAt(st.power, c.maxPower.activity) > c.maxPower.watts) return `power ${powerAt(st.power, c.maxPower.activity).toFixed(3)} W at activity ${c.maxPower.activity} > ${c.maxPower.watts} W`;
  return undefined;
}
