import { z } from 'zod';
import type { Architecture } from '../arch/types.js';
import type { Problem } from '../problem/types.js';
import { locatedError, readSourceFile, zodIssueError, type SourceDoc } from '../util/source-file.js';
import { mappingFor, type MappingArrays } from './mapping.js';

/**
 * The JSON/YAML form of a mapping, in Timeloop's vocabulary: a list of
 * directives, each for one storage level (`target`):
 *
 *   { target: GlobalBuffer, type: temporal, factors: "N=1 K=4 C=2 P=7 Q=7 R=1 S=1", permutation: "SRQPCKN" }
 *   { target: GlobalBuffer, type: spatial,  factors: "K=14 C=12",  permutation: "KC", split: 1 }
 *   { target: GlobalBuffer, type: bypass,   keep: [Inputs, Outputs], bypass: [Weights] }
 *
 * `factors` may also be an object ({ K: 4 }); a factor of 0 takes whatever the
 * dimension's other factors leave (rounded up). `permutation` lists dims
 * innermost first (a string of one-letter dims, or a list); dims it omits go
 * outside the listed ones. A spatial directive's first `split` dims (in
 * permutation order) go to the fan-out's X axis, the rest to Y; without
 * `split`, dims fill X while they fit its mesh. A level without a bypass
 * directive keeps every data space its spec allows. `type: datatype` is read
 * as `bypass` (Timeloop's older name).
 */
export interface Directive {
  target: string;
  type: 'temporal' | 'spatial' | 'bypass';
  factors?: string;
  permutation?: string;
  split?: number;
  keep?: string[];
  bypass?: string[];
}

const directiveSchema = z
  .object({
    target: z.string().min(1),
    type: z.enum(['temporal', 'spatial', 'bypass', 'datatype']),
    factors: z.union([z.string(), z.record(z.string(), z.number().int().min(0))]).optional(),
    permutation: z.union([z.string(), z.array(z.string())]).optional(),
    split: z.number().int().min(0).optional(),
    keep: z.array(z.string()).optional(),
    bypass: z.array(z.string()).optional(),
  })
  .strict();

const listSchema = z.array(directiveSchema);
const fileSchema = z.object({ mapping: listSchema }).passthrough();

const HINT = 'a mapping is a list of {target, type: temporal|spatial|bypass, factors, permutation, split, keep, bypass} directives';

/** Reads a mapping file: a directive list, `{mapping: [...]}`, or a layer of `accelmap map --json`. */
export function loadMappingFile(file: string, problem: Problem, arch: Architecture): MappingArrays {
  return mappingFromSource(readSourceFile(file), problem, arch);
}

export function mappingFromSource(src: SourceDoc, problem: Problem, arch: Architecture): MappingArrays {
  if (Array.isArray(src.value)) {
    const parsed = listSchema.safeParse(src.value);
    if (!parsed.success) throw zodIssueError(parsed.error, src, 'bad-input', HINT);
    return build(parsed.data, problem, arch, src, []);
  }
  const parsed = fileSchema.safeParse(src.value);
  if (!parsed.success) throw zodIssueError(parsed.error, src, 'bad-input', HINT);
  return build(parsed.data.mapping, problem, arch, src, ['mapping']);
}

export function mappingFromDirectives(directives: unknown, problem: Problem, arch: Architecture): MappingArrays {
  return mappingFromSource({ file: 'mapping', value: directives, locate: () => undefined }, problem, arch);
}

type RawDirective = z.infer<typeof directiveSchema>;

function parseFactors(raw: RawDirective['factors'], dims: string[], err: (msg: string, field: string) => Error): Map<number, number> {
  const out = new Map<number, number>();
  if (raw === undefined) return out;
  const entries: [string, number][] =
    typeof raw === 'string'
      ? raw
          .split(/[\s,]+/)
          .filter(Boolean)
          .map((part) => {
            const m = /^([A-Za-z][A-Za-z0-9_]*)=(\d+)$/.exec(part);
            if (!m) throw err(`'${part}' is not DIM=factor`, 'factors');
            return [m[1]!, Number(m[2])];
          })
      : Object.entries(raw);
  for (const [name, f] of entries) {
    const d = dims.indexOf(name);
    if (d < 0) throw err(`unknown dimension '${name}' (the problem has ${dims.join(' ')})`, 'factors');
    out.set(d, f);
  }
  return out;
}

function parsePermutation(raw: RawDirective['permutation'], dims: string[], err: (msg: string, field: string) => Error): number[] {
  if (raw === undefined) return [];
  const names = Array.isArray(raw) ? raw : /[\s,]/.test(raw.trim()) ? raw.split(/[\s,]+/).filter(Boolean) : [...raw.trim()];
  const out: number[] = [];
  for (const name of names) {
    const d = dims.indexOf(name);
    if (d < 0) throw err(`unknown dimension '${name}' in the permutation (the problem has ${dims.join(' ')})`, 'permutation');
    if (out.includes(d)) throw err(`dimension '${name}' appears twice in the permutation`, 'permutation');
    out.push(d);
  }
  return out;
}

function build(list: RawDirective[], problem: Problem, arch: Architecture, src: SourceDoc, prefix: PropertyKey[]): MappingArrays {
  const m = mappingFor(problem, arch);
  const { dims, bounds } = problem;
  const D = dims.length, DS = problem.dataSpaces.length;
  const levelOf = (name: string) => {
    const exact = arch.levels.findIndex((l) => l.name === name);
    return exact >= 0 ? exact : arch.levels.findIndex((l) => l.name.toLowerCase() === name.toLowerCase());
  };
  // Default keep: whatever each level's spec allows.
  arch.levels.forEach((l, li) => problem.dataSpaces.forEach((ds, s) => (m.keep[li * DS + s] = l.dataSpaces === null || l.dataSpaces.includes(ds.name) ? 1 : 0)));
  const zeros: { path: PropertyKey[]; index: number; d: number }[] = [];
  const seen = new Set<string>();

  list.forEach((dir, i) => {
    const path = [...prefix, i];
    const err = (msg: string, field: string) => locatedError('bad-input', msg, src, [...path, field], HINT);
    const l = levelOf(dir.target);
    if (l < 0) throw err(`unknown level '${dir.target}' (levels: ${arch.levels.map((x) => x.name).join(', ')})`, 'target');
    const type = dir.type === 'datatype' ? 'bypass' : dir.type;
    const key = `${l}/${type}`;
    if (seen.has(key)) throw err(`a second ${type} directive for ${arch.levels[l]!.name}`, 'type');
    seen.add(key);

    if (type === 'bypass') {
      for (const [field, value] of [['keep', 1], ['bypass', 0]] as const) {
        for (const name of dir[field] ?? []) {
          const s = problem.dataSpaces.findIndex((x) => x.name === name);
          if (s < 0) throw err(`unknown data space '${name}' (${problem.dataSpaces.map((x) => x.name).join(', ')})`, field);
          m.keep[l * DS + s] = value;
        }
      }
      return;
    }
    const factors = parseFactors(dir.factors, dims, err);
    const perm = parsePermutation(dir.permutation, dims, err);
    if (type === 'temporal') {
      for (const [d, f] of factors) {
        if (f === 0) zeros.push({ path, index: l * D + d, d });
        else m.temporal[l * D + d] = f;
      }
      // Innermost first in the file; the typed form stores outermost first.
      const listed = [...perm].reverse();
      const rest = Array.from({ length: D }, (_, d) => d).filter((d) => !perm.includes(d));
      [...rest, ...listed].forEach((d, k) => (m.order[l * D + k] = d));
      return;
    }
    // Spatial: X gets the first `split` dims in permutation order, Y the rest.
    const fan = l + 1 < arch.levels.length ? arch.levels[l + 1]!.fanOut : arch.compute.fanOut;
    for (const [d, f] of factors) {
      if (f === 0) throw err(`a spatial factor of 0 is not supported (give ${dims[d]} explicitly)`, 'factors');
      if (f > 1 && !perm.includes(d)) perm.push(d);
    }
    let x = 1;
    perm.forEach((d, k) => {
      const f = factors.get(d) ?? 1;
      const toX = dir.split !== undefined ? k < dir.split : x * f <= fan.meshX;
      if (toX) {
        m.spatialX[l * D + d] = f;
        x *= f;
      } else {
        m.spatialY[l * D + d] = f;
      }
    });
  });

  for (const z0 of zeros) {
    if (zeros.filter((z) => z.d === z0.d).length > 1) throw locatedError('bad-input', `dimension ${dims[z0.d]} has more than one factor of 0`, src, [...z0.path, 'factors'], HINT);
    let others = 1;
    for (let l = 0; l < m.levels; l++) {
      const i = l * D + z0.d;
      others *= (i === z0.index ? 1 : m.temporal[i]!) * m.spatialX[i]! * m.spatialY[i]!;
    }
    m.temporal[z0.index] = Math.max(1, Math.ceil(bounds[z0.d]! / others));
  }
  return m;
}

/** Writes a mapping as directives: per level (outermost first) temporal, spatial (when the level fans out) and bypass. */
export function mappingToDirectives(problem: Problem, arch: Architecture, m: MappingArrays): Directive[] {
  const { dims } = problem;
  const D = dims.length, DS = problem.dataSpaces.length;
  const out: Directive[] = [];
  arch.levels.forEach((level, l) => {
    const factorText = (arr: Int32Array, only?: number[]) => (only ?? dims.map((_, d) => d)).map((d) => `${dims[d]}=${arr[l * D + d]}`).join(' ');
    const order = Array.from({ length: D }, (_, k) => m.order[l * D + k]!);
    out.push({ target: level.name, type: 'temporal', factors: factorText(m.temporal), permutation: joinDims([...order].reverse().map((d) => dims[d]!)) });
    const xs = dims.map((_, d) => d).filter((d) => m.spatialX[l * D + d]! > 1);
    const ys = dims.map((_, d) => d).filter((d) => m.spatialY[l * D + d]! > 1);
    if (xs.some((d) => ys.includes(d))) throw new Error('a dimension split over both X and Y of one fan-out cannot be written as a Timeloop directive');
    if (xs.length + ys.length > 0) {
      const combined = new Int32Array(m.spatialX.length);
      for (const d of xs) combined[l * D + d] = m.spatialX[l * D + d]!;
      for (const d of ys) combined[l * D + d] = m.spatialY[l * D + d]!;
      out.push({ target: level.name, type: 'spatial', factors: factorText(combined, [...xs, ...ys]), permutation: joinDims([...xs, ...ys].map((d) => dims[d]!)), split: xs.length });
    }
    const keep = problem.dataSpaces.filter((_, s) => m.keep[l * DS + s]).map((x) => x.name);
    const bypass = problem.dataSpaces.filter((_, s) => !m.keep[l * DS + s]).map((x) => x.name);
    out.push({ target: level.name, type: 'bypass', keep, bypass });
  });
  return out;
}

function joinDims(names: string[]): string {
  return names.every((n) => n.length === 1) ? names.join('') : names.join(' ');
}
