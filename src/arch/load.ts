import { existsSync, readdirSync } from 'node:fs';
import { AccelmapError } from '../util/errors.js';
import { presetPath } from '../util/paths.js';
import { locatedError, readSourceFile, zodIssueError, type SourceDoc } from '../util/source-file.js';
import { rangeProblem, type Range } from '../util/ranges.js';
import { hzOf, parseBytes } from '../util/units.js';
import {
  macArea,
  macEnergy,
  networkWordEnergy,
  storageAccessEnergy,
  storageArea,
  TABLE_SOURCES,
  vectorOpEnergy,
} from './energy-table.js';
import { ARCH_RANGES, archSchema, type ArchSpec, type FanOutSpec, type LevelSpec } from './schema.js';
import type { Architecture, ComputeUnit, FanOut, Interconnect, PrecisionMode, StorageLevel, VectorUnit } from './types.js';
import { suggest } from '../util/suggest.js';

/** Data-space names every compute problem uses (see problem/types.ts). */
export const DATA_SPACE_NAMES = ['Weights', 'Inputs', 'Outputs'] as const;

const SPEC_HINT = 'see presets/arch/*.yaml for the format';

/** Names of the architecture presets shipped under presets/arch/. */
export function listPresets(): string[] {
  const dir = presetPath('arch');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

/** A preset name (`eyeriss`) or a spec file path. */
export function loadArch(ref: string): Architecture {
  const looksLikeFile = /[/\\]/.test(ref) || /\.(ya?ml|json)$/i.test(ref);
  if (looksLikeFile) return archFromSource(readSourceFile(ref, 'bad-spec'));
  const preset = presetPath('arch', `${ref.toLowerCase()}.yaml`);
  if (existsSync(preset)) return archFromSource(readSourceFile(preset, 'bad-spec'));
  throw new AccelmapError('bad-input', `unknown architecture '${ref}'${suggest(ref, listPresets())}`, {}, `presets: ${listPresets().join(', ')}; or give a spec file (.yaml/.json)`);
}

/** Validates a parsed spec (with its source for error positions) and normalizes it. */
export function archFromSource(src: SourceDoc): Architecture {
  const parsed = archSchema.safeParse(src.value);
  if (!parsed.success) throw zodIssueError(parsed.error, src, 'bad-spec', SPEC_HINT);
  return normalize(parsed.data, src);
}

/** Normalizes an in-memory spec (tests, generated specs). */
export function archFromSpec(spec: unknown, name = 'spec'): Architecture {
  return archFromSource({ file: name, value: spec, locate: () => undefined });
}

function specError(src: SourceDoc, path: PropertyKey[], message: string, hint = SPEC_HINT): AccelmapError {
  return locatedError('bad-spec', message, src, path, hint);
}

/** `v` when it lies in `r`; otherwise an error at `path` saying the allowed range and why (quoting the text it was read from). */
function inRange(v: number, r: Range, src: SourceDoc, path: PropertyKey[], written: number | string): number {
  const problem = rangeProblem(v, r);
  if (problem === undefined) return v;
  throw specError(src, path, typeof written === 'string' ? `'${written}' is ${problem}` : problem);
}

/** Total instances of a level or of the MACs (the product of the fan-outs down to it). */
const INSTANCES: Range = { min: 1, max: 2 ** 24, integer: true, unit: 'instances', why: 'the product of the fan-outs above it; the largest chips have about a million processing elements' };

function parseNm(v: number | string, src: SourceDoc): number {
  const m = typeof v === 'number' ? undefined : /^\s*([0-9]*\.?[0-9]+)\s*nm\s*$/i.exec(v);
  if (typeof v === 'string' && !m) throw specError(src, ['technology'], `cannot read technology node '${v}'`, 'write e.g. 65 or 65nm');
  return inRange(m ? Number(m[1]) : (v as number), ARCH_RANGES.technologyNm, src, ['technology'], v);
}

function parseClock(v: number | string, src: SourceDoc): number {
  const hz = typeof v === 'number' ? v : hzOf(v);
  if (hz === undefined) throw specError(src, ['clock'], `cannot read clock '${v}'`, 'write e.g. 700MHz, 1.5GHz or a number of Hz');
  return inRange(hz, ARCH_RANGES.clockHz, src, ['clock'], v);
}

/** Bandwidth in words per cycle (a link's in bytes, wordBits 8): a number already is; `34GB/s` and `128B/cycle` are converted. */
function parseBandwidth(v: number | string | undefined, wordBits: number, clockHz: number, src: SourceDoc, path: PropertyKey[], range: Range = ARCH_RANGES.bandwidth): number {
  if (v === undefined) return Infinity;
  if (typeof v === 'number') return inRange(v, range, src, path, v);
  const perSecond = /^(.*?)\s*\/\s*s$/i.exec(v);
  const perCycle = /^(.*?)\s*\/\s*cycle$/i.exec(v);
  const bytesText = perSecond?.[1] ?? perCycle?.[1];
  let bytes: number;
  try {
    if (bytesText === undefined) throw new Error();
    bytes = parseBytes(bytesText);
  } catch {
    throw specError(src, path, `cannot read bandwidth '${v}'`, 'write words per cycle (a number), or bytes with a unit per second or per cycle: 34GB/s, 128B/cycle');
  }
  const bytesPerCycle = perSecond ? bytes / clockHz : bytes;
  return inRange((bytesPerCycle * 8) / wordBits, range, src, path, v);
}

function capacityWords(l: LevelSpec, wordBits: number, src: SourceDoc, path: PropertyKey[]): number {
  const bytesRange = ARCH_RANGES.capacityBytes;
  if (l.words !== undefined) {
    inRange((l.words * wordBits) / 8, bytesRange, src, [...path, 'words'], `${l.words} words of ${wordBits} bits`);
    return l.words;
  }
  if (l.capacity !== undefined) {
    let bytes: number;
    try {
      bytes = typeof l.capacity === 'number' ? l.capacity : parseBytes(l.capacity);
    } catch (e) {
      throw specError(src, [...path, 'capacity'], (e as Error).message, 'write bytes with a unit: 108KB, 24MiB');
    }
    inRange(bytes, bytesRange, src, [...path, 'capacity'], l.capacity);
    const words = Math.floor((bytes * 8) / wordBits);
    if (words < 1) throw specError(src, [...path, 'capacity'], `'${l.capacity}' is less than one ${wordBits}-bit word: a level holds at least one word`);
    return words;
  }
  if (l.class === 'dram') return Infinity;
  throw specError(src, path, `level '${l.name}' needs a capacity (capacity: 108KB, or words: N)`);
}

function fanOut(spec: FanOutSpec | undefined, wordBits: number, nm: number): { fanOut: FanOut; derived: boolean } {
  const meshX = spec?.x ?? 1, meshY = spec?.y ?? 1;
  const derived = spec?.energyPerWord === undefined && meshX * meshY > 1;
  return {
    fanOut: {
      meshX,
      meshY,
      multicast: spec?.multicast ?? true,
      reduction: spec?.reduction ?? true,
      energyPerWordPj: spec?.energyPerWord ?? (derived ? networkWordEnergy(wordBits, nm).value : 0),
    },
    derived,
  };
}

function normalize(spec: ArchSpec, src: SourceDoc): Architecture {
  const nm = parseNm(spec.technology, src);
  const clockHz = parseClock(spec.clock, src);
  const defaultBits = spec.wordBits ?? 16;
  let derivedAny = false;
  const names = new Set<string>();
  let instances = 1;
  const levels: StorageLevel[] = spec.levels.map((l, i) => {
    const path = ['levels', i];
    if (names.has(l.name)) throw specError(src, [...path, 'name'], `level name '${l.name}' is used twice`);
    names.add(l.name);
    const wordBits = l.wordBits ?? defaultBits;
    if (i === 0 && ((l.fanOut?.x ?? 1) > 1 || (l.fanOut?.y ?? 1) > 1)) {
      throw specError(src, [...path, 'fanOut'], 'the outermost level has a single instance (no fan-out above it)');
    }
    for (const [j, d] of (l.dataSpaces ?? []).entries()) {
      if (!(DATA_SPACE_NAMES as readonly string[]).includes(d)) {
        throw specError(src, [...path, 'dataSpaces', j], `unknown data space '${d}'`, `data spaces are ${DATA_SPACE_NAMES.join(', ')}`);
      }
      if (l.dataSpaces!.indexOf(d) < j) throw specError(src, [...path, 'dataSpaces', j], `data space '${d}' is listed twice`, 'name each data space once');
    }
    if (i === 0 && l.dataSpaces && DATA_SPACE_NAMES.some((d) => !l.dataSpaces!.includes(d))) {
      throw specError(src, [...path, 'dataSpaces'], 'the outermost level is the backing store and must hold every data space');
    }
    const words = capacityWords(l, wordBits, src, path);
    const blockSize = l.blockSize ?? 1;
    const capacityBytes = Number.isFinite(words) ? (words * wordBits) / 8 : Infinity;
    const table = storageAccessEnergy(l.class, capacityBytes, blockSize * wordBits, nm, l.dram);
    const givenEnergy = l.energy?.read ?? l.energy?.fill ?? l.energy?.update;
    const readPj = l.energy?.read ?? givenEnergy ?? table.value;
    const area = l.area !== undefined ? { value: l.area, source: l.source ?? 'given' } : storageArea(l.class, capacityBytes, nm);
    const fo = fanOut(l.fanOut, wordBits, nm);
    derivedAny ||= givenEnergy === undefined || l.area === undefined || fo.derived;
    instances *= fo.fanOut.meshX * fo.fanOut.meshY;
    inRange(instances, INSTANCES, src, [...path, 'fanOut'], instances);
    return {
      name: l.name,
      className: l.class,
      fanOut: fo.fanOut,
      instances,
      capacityWords: words,
      wordBits,
      blockSize,
      readBandwidth: parseBandwidth(l.readBandwidth, wordBits, clockHz, src, [...path, 'readBandwidth']),
      writeBandwidth: parseBandwidth(l.writeBandwidth, wordBits, clockHz, src, [...path, 'writeBandwidth']),
      sharedBandwidth: parseBandwidth(l.sharedBandwidth, wordBits, clockHz, src, [...path, 'sharedBandwidth']),
      dataSpaces: l.dataSpaces ?? null,
      multipleBuffering: l.multipleBuffering ?? 1,
      clusterSize: l.clusterSize ?? 1,
      energy: {
        readPj,
        fillPj: l.energy?.fill ?? givenEnergy ?? table.value,
        updatePj: l.energy?.update ?? givenEnergy ?? table.value,
        leakPjPerCycle: l.energy?.leak ?? 0,
      },
      energySource: givenEnergy !== undefined ? (l.source ?? 'given in the spec') : table.source,
      areaUm2: area.value,
      areaSource: area.source,
    };
  });

  const innermostBits = levels[levels.length - 1]!.wordBits;
  const precisionNames = new Set<string>();
  const precisions: PrecisionMode[] = spec.compute.precisions.map((p, i) => {
    if (precisionNames.has(p.name)) throw specError(src, ['compute', 'precisions', i, 'name'], `precision '${p.name}' is listed twice`);
    precisionNames.add(p.name);
    const kind = p.kind ?? 'int';
    const accumulatorBits = p.accumulatorBits ?? (kind === 'int' ? 32 : Math.max(16, p.operandBits));
    const table = macEnergy(kind, p.operandBits, accumulatorBits, nm);
    derivedAny ||= p.energyPerMac === undefined;
    return {
      name: p.name,
      kind,
      operandBits: p.operandBits,
      accumulatorBits,
      macsPerCycle: p.macsPerCycle ?? 1,
      energyPerMacPj: p.energyPerMac ?? table.value,
      energySource: p.energyPerMac !== undefined ? (p.source ?? 'given in the spec') : table.source,
    };
  });
  const first = precisions[0]!;
  const computeFan = fanOut(spec.compute.fanOut, innermostBits, nm);
  const macAreaEst = spec.compute.area !== undefined ? { value: spec.compute.area, source: 'given in the spec' } : macArea(first.kind, first.operandBits, first.accumulatorBits, nm);
  derivedAny ||= computeFan.derived || spec.compute.area === undefined;
  const macUnits = instances * computeFan.fanOut.meshX * computeFan.fanOut.meshY;
  const compute: ComputeUnit = {
    name: spec.compute.name ?? 'MAC',
    fanOut: computeFan.fanOut,
    instances: inRange(macUnits, INSTANCES, src, ['compute', 'fanOut'], macUnits),
    precisions,
    areaUm2: macAreaEst.value,
    areaSource: macAreaEst.source,
  };

  const vOp = vectorOpEnergy(first.kind, first.operandBits, nm);
  derivedAny ||= spec.vector?.energyPerOp === undefined;
  const vector: VectorUnit = {
    lanes: spec.vector?.lanes ?? 16,
    opsPerCyclePerLane: spec.vector?.opsPerCyclePerLane ?? 1,
    energyPerOpPj: spec.vector?.energyPerOp ?? vOp.value,
    energySource: spec.vector?.energyPerOp !== undefined ? 'given in the spec' : vOp.source,
    areaUm2: spec.vector?.area ?? 0,
  };

  const c = spec.cores;
  const count = c?.count ?? 1;
  const meshX = c?.meshX ?? count;
  if (meshX > count) throw specError(src, ['cores', 'meshX'], `meshX ${meshX} is more than the core count ${count}`);
  if (c && c.topology === 'mesh' && count % meshX !== 0) throw specError(src, ['cores', 'meshX'], `meshX ${meshX} does not divide the core count ${count}`);
  const cores: Interconnect = {
    count,
    topology: c?.topology ?? 'ring',
    meshX,
    linkBandwidthBytesPerCycle: c ? parseBandwidth(c.linkBandwidth, 8, clockHz, src, ['cores', 'linkBandwidth'], ARCH_RANGES.linkBandwidthBytes) : Infinity,
    linkLatencyCycles: c?.linkLatencyCycles ?? 0,
    linkEnergyPerBytePj: c?.linkEnergyPerByte ?? 0,
  };

  return {
    name: spec.name,
    description: spec.description ?? '',
    technologyNm: nm,
    clockHz,
    levels,
    compute,
    vector,
    cores,
    sources: [...(spec.sources ?? []), ...(derivedAny ? TABLE_SOURCES : [])],
  };
}
