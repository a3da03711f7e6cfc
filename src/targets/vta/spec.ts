import { existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AccelmapError } from '../../util/errors.js';
import { presetPath } from '../../util/paths.js';
import { readSourceFile, zodIssueError, locatedError, type SourceDoc } from '../../util/source-file.js';
import { nearest } from '../../util/suggest.js';
import { parseBytes } from '../../util/units.js';
import type { Architecture, StorageLevel } from '../../arch/types.js';

/**
 * The VTA target: the GEMM core's shape, the data widths, the on-chip
 * buffers, the ALU, the pipelines, the DMA port and the clock. Sizes are in
 * bytes, times in cycles of `clockHz`.
 */
export interface VtaTarget {
  name: string;
  /** The analytical mapper's preset for the same hardware (presets/arch/NAME.yaml). */
  arch: string;
  batch: number;
  blockIn: number;
  blockOut: number;
  inputBits: number;
  weightBits: number;
  accBits: number;
  buffers: { uop: number; input: number; weight: number; acc: number };
  gemm: { pipelineDepth: number };
  alu: { lanes: number; initiationInterval: number; pipelineDepth: number };
  dma: { bytesPerCycle: number; latency: number };
  clockHz: number;
}

const SPEC_HINT = 'see presets/targets/vta.yaml for the format';

const count = (max: number) => z.number().int().min(1).max(max);
const size = z.union([z.number().int().positive(), z.string()]);
const pow2 = (max: number) => count(max).refine((v) => (v & (v - 1)) === 0, 'must be a power of two');

const targetSchema = z.strictObject({
  name: z.string().min(1),
  arch: z.string().min(1),
  batch: pow2(64),
  blockIn: pow2(256),
  blockOut: pow2(256),
  inputBits: z.literal(8),
  weightBits: z.literal(8),
  accBits: z.literal(32),
  buffers: z.strictObject({ uop: size, input: size, weight: size, acc: size }),
  gemm: z.strictObject({ pipelineDepth: count(64) }),
  alu: z.strictObject({ lanes: pow2(1024), initiationInterval: count(64), pipelineDepth: count(64) }),
  dma: z.strictObject({ bytesPerCycle: pow2(1024), latency: z.number().int().min(0).max(10000) }),
  clock: z.union([z.number().positive(), z.string()]),
});

const FREQ: Record<string, number> = { hz: 1, khz: 1e3, mhz: 1e6, ghz: 1e9 };

/** Bytes of one element of each buffer: an input vector, a weight block, an accumulator vector, a micro-op. */
export function elementBytes(t: VtaTarget): { input: number; weight: number; acc: number; uop: number; out: number } {
  return {
    input: (t.batch * t.blockIn * t.inputBits) / 8,
    weight: (t.blockOut * t.blockIn * t.weightBits) / 8,
    acc: (t.batch * t.blockOut * t.accBits) / 8,
    uop: 4,
    out: (t.batch * t.blockOut * t.inputBits) / 8,
  };
}

/** Elements each buffer holds. */
export function bufferDepths(t: VtaTarget): { input: number; weight: number; acc: number; uop: number } {
  const e = elementBytes(t);
  return { input: t.buffers.input / e.input, weight: t.buffers.weight / e.weight, acc: t.buffers.acc / e.acc, uop: t.buffers.uop / e.uop };
}

/** Largest depth the instruction and micro-op fields can address (docs/vta-isa.md). */
const ADDRESSABLE = { input: 2 ** 11, weight: 2 ** 10, acc: 2 ** 11, uop: 2 ** 13 } as const;

/** Peak GEMM throughput in operations per second (a multiply-add counts 2). */
export function peakOps(t: VtaTarget): number {
  return 2 * t.batch * t.blockIn * t.blockOut * t.clockHz;
}

/** Names of the target presets under presets/targets/. */
function presetFile(name: string): string {
  return presetPath('targets', `${name.toLowerCase()}.yaml`);
}

/**
 * A preset name (`vta`) or a spec file, with `--set KEY=VALUE` overrides
 * (dotted keys such as `dma.bytesPerCycle=16`) applied before validation.
 */
export function loadVtaTarget(ref: string, overrides: readonly string[] = []): VtaTarget {
  const src = targetSource(ref);
  return vtaTargetFromSource({ ...src, value: applyOverrides(src.value, overrides) });
}

/** The parsed, unchecked spec of a target preset name or spec file. */
export function targetSource(ref: string): SourceDoc {
  const looksLikeFile = /[/\\]/.test(ref) || /\.(ya?ml|json)$/i.test(ref);
  const file = looksLikeFile ? ref : presetFile(ref);
  if (!looksLikeFile && !existsSync(file)) throw new AccelmapError('bad-input', `unknown VTA target '${ref}'`, {}, 'presets: vta; or give a spec file (.yaml)');
  return readSourceFile(file, 'bad-spec');
}

/** Applies `KEY=VALUE` overrides to a parsed spec; a key must name an existing field. */
export function applyOverrides(value: unknown, overrides: readonly string[]): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new AccelmapError('bad-flag', `--set '${o}' is not KEY=VALUE`, {}, 'e.g. --set dma.bytesPerCycle=16');
    const keys = o.slice(0, eq).trim().split('.');
    let node: Record<string, unknown> = copy;
    keys.forEach((k, i) => {
      if (typeof node !== 'object' || node === null || !(k in node)) {
        const known = typeof node === 'object' && node !== null ? Object.keys(node) : [];
        const near = nearest(k, known);
        throw new AccelmapError('bad-flag', `--set ${o.slice(0, eq)}: no field '${keys.slice(0, i + 1).join('.')}'${near ? ` (did you mean ${[...keys.slice(0, i), near].join('.')}?)` : ''}`, {}, `fields here: ${known.join(', ')}`);
      }
      if (i === keys.length - 1) node[k] = parseYaml(o.slice(eq + 1)) as unknown;
      else node = node[k] as Record<string, unknown>;
    });
  }
  return copy;
}

/** Validates a parsed spec and converts sizes and the clock. */
function vtaTargetFromSource(src: SourceDoc): VtaTarget {
  const parsed = targetSchema.safeParse(src.value);
  if (!parsed.success) throw zodIssueError(parsed.error, src, 'bad-spec', SPEC_HINT);
  const s = parsed.data;
  const bytes = (v: number | string, key: string): number => {
    try {
      return typeof v === 'number' ? v : parseBytes(v);
    } catch {
      throw locatedError('bad-spec', `cannot read size '${v}'`, src, ['buffers', key], 'write bytes or e.g. 32KiB');
    }
  };
  const clockMatch = typeof s.clock === 'string' ? /^\s*([0-9]*\.?[0-9]+)\s*([kmg]?hz)\s*$/i.exec(s.clock) : undefined;
  if (clockMatch === null) throw locatedError('bad-spec', `cannot read clock '${String(s.clock)}'`, src, ['clock'], 'write e.g. 100MHz');
  const t: VtaTarget = {
    name: s.name,
    arch: s.arch,
    batch: s.batch,
    blockIn: s.blockIn,
    blockOut: s.blockOut,
    inputBits: s.inputBits,
    weightBits: s.weightBits,
    accBits: s.accBits,
    buffers: { uop: bytes(s.buffers.uop, 'uop'), input: bytes(s.buffers.input, 'input'), weight: bytes(s.buffers.weight, 'weight'), acc: bytes(s.buffers.acc, 'acc') },
    gemm: s.gemm,
    alu: s.alu,
    dma: s.dma,
    clockHz: clockMatch ? Number(clockMatch[1]) * FREQ[clockMatch[2]!.toLowerCase()]! : (s.clock as number),
  };
  const e = elementBytes(t);
  const depths = bufferDepths(t);
  for (const key of ['uop', 'input', 'weight', 'acc'] as const) {
    if (!Number.isInteger(depths[key])) throw locatedError('bad-spec', `${t.buffers[key]} bytes is not a whole number of ${e[key]}-byte elements`, src, ['buffers', key], 'give a multiple of the element size');
    if (depths[key] > ADDRESSABLE[key]) throw locatedError('bad-spec', `${depths[key]} elements exceed the ${ADDRESSABLE[key]} the instruction fields address`, src, ['buffers', key], `at most ${ADDRESSABLE[key] * e[key]} bytes`);
  }
  return t;
}

/**
 * Where the analytical mapper's architecture disagrees with this target on
 * the hardware they both describe (clock, GEMM array, buffer capacities,
 * data widths, ALU rate, DRAM bytes per cycle); empty when they agree.
 */
export function archDisagreements(t: VtaTarget, arch: Architecture): string[] {
  const out: string[] = [];
  const expect = (what: string, archValue: number, targetValue: number): void => {
    if (archValue !== targetValue) out.push(`${what}: arch ${archValue}, target ${targetValue}`);
  };
  const level = (space: string): StorageLevel | undefined => arch.levels.find((l) => l.dataSpaces?.length === 1 && l.dataSpaces[0] === space);
  expect('clock (Hz)', arch.clockHz, t.clockHz);
  expect('GEMM array (MACs)', arch.compute.fanOut.meshX * arch.compute.fanOut.meshY, t.batch * t.blockIn * t.blockOut);
  const buffers: [string, keyof VtaTarget['buffers'], number][] = [['Inputs', 'input', t.inputBits], ['Weights', 'weight', t.weightBits], ['Outputs', 'acc', t.accBits]];
  for (const [space, key, bits] of buffers) {
    const l = level(space);
    if (!l) out.push(`no level holds only ${space}`);
    else {
      expect(`${l.name} bytes`, (l.capacityWords * l.wordBits) / 8, t.buffers[key]);
      expect(`${l.name} word bits`, l.wordBits, bits);
    }
  }
  const dram = arch.levels[0]!;
  expect('DRAM bytes per cycle', (dram.sharedBandwidth * dram.wordBits) / 8, t.dma.bytesPerCycle);
  expect('ALU lanes', arch.vector.lanes, t.alu.lanes);
  expect('ALU ops per lane per cycle', arch.vector.opsPerCyclePerLane, 1 / t.alu.initiationInterval);
  return out;
}
