import { Document, isMap, isSeq } from 'yaml';
import type { Architecture } from '../../arch/types.js';
import { mappingFor, type MappingArrays } from '../../mapping/mapping.js';
import type { Problem } from '../../problem/types.js';
import type { SourceDoc } from '../../util/source-file.js';
import { suggest } from '../../util/suggest.js';
import type { ArchConstraint } from './arch.js';
import { parseFactors, parsePermutation, type Factor } from './loops.js';
import { Fields, fileError, isRecord, noteAt, type Note, type Path } from './source.js';

/**
 * Timeloop mapping files in and out. A mapping is a list of directives, each
 * for one storage level (`target`: its name, or its number counted from the
 * innermost level as Timeloop numbers them):
 *
 *   - {target: GlobalBuffer, type: temporal, factors: R=3 S=3 P=7, permutation: SRP}
 *   - {target: GlobalBuffer, type: spatial, factors: K=16 C=4, permutation: KC, split: 1}
 *   - {target: GlobalBuffer, type: bypass, keep: [Weights], bypass: [Inputs, Outputs]}
 *
 * written as the list itself, `mapping: [...]`, or `mapping: {targets: [...]}`
 * / `targets: [...]` (where an entry may hold its directives under
 * `constraints:` and their fields under `attributes:`). Factors are `R=3`,
 * `R3` or lists; `0` means the whole dimension and a factor above the
 * dimension is cut to it (both noted, as Timeloop warns); unlisted factors are
 * 1. Permutations list loops innermost first; dimensions left out go
 * outside the listed ones. Of a spatial directive's permutation the first
 * `split` dimensions go along X, the rest along Y (without `split`: all
 * along the mesh's only axis, else along X while they fit). A level keeps
 * every data space unless a bypass directive (types `bypass`, `datatype`,
 * `bypassing`, `dataspace`) or a v0.4 architecture constraint says otherwise.
 */
export interface TimeloopMapping {
  mapping: MappingArrays;
  notes: Note[];
}

type DirectiveType = 'temporal' | 'spatial' | 'bypass';

const TYPES: Record<string, DirectiveType | 'constraint'> = {
  temporal: 'temporal',
  spatial: 'spatial',
  bypass: 'bypass',
  datatype: 'bypass',
  bypassing: 'bypass',
  dataspace: 'bypass',
  utilization: 'constraint',
  parallelism: 'constraint',
  max_overbooked_proportion: 'constraint',
  no_multicast: 'constraint',
  no_reduction: 'constraint',
  no_multicast_no_reduction: 'constraint',
  no_link_transfer: 'constraint',
};
const DIRECTIVE_KEYS = ['target', 'type', 'factors', 'permutation', 'split', 'keep', 'bypass', 'attributes', 'no_coalesce', 'min', 'proportion'];

interface Directive {
  level: number;
  type: DirectiveType;
  factors: Factor[];
  permutation?: { dims: string[]; path: Path };
  split?: number;
  keep: string[];
  bypass: string[];
  path: Path;
}

export function readTimeloopMapping(src: SourceDoc, problem: Problem, arch: Architecture, constraints: ArchConstraint[] = []): TimeloopMapping {
  const notes: Note[] = [];
  const list = directiveList(src);
  const directives: Directive[] = [];
  const seen = new Set<string>();
  for (const d of list) {
    const dir = readDirective(src, d.value, d.path, d.target, arch, notes);
    if (!dir) continue;
    const key = `${dir.level}/${dir.type}`;
    if (seen.has(key)) throw fileError(src, [...d.path, 'type'], `a second ${dir.type} directive for ${arch.levels[dir.level]!.name}`);
    seen.add(key);
    directives.push(dir);
  }
  const m = mappingFor(problem, arch);
  const D = problem.dims.length, DS = problem.dataSpaces.length;
  const dimOf = (name: string, at: Path) => {
    const d = problem.dims.indexOf(name);
    if (d < 0) throw fileError(src, at, `unknown dimension '${name}'${suggest(name, problem.dims)}`, `the problem has ${problem.dims.join(' ')}`);
    return d;
  };
  const spaceOf = (name: string, at: Path) => {
    const s = problem.dataSpaces.findIndex((x) => x.name === name);
    if (s < 0) throw fileError(src, at, `unknown data space '${name}'${suggest(name, problem.dataSpaces.map((x) => x.name))}`, `the problem has ${problem.dataSpaces.map((x) => x.name).join(', ')}`);
    return s;
  };

  // Keep: everything, then the architecture's data-space constraints, then the mapping's bypass directives.
  for (const c of constraints.filter((x) => x.type === 'dataspace')) {
    const l = arch.levels.findIndex((x) => x.name === c.level);
    for (const n of c.keep.names) m.keep[l * DS + spaceOf(n, c.keep.path)] = 1;
    for (const n of c.bypass.names) m.keep[l * DS + spaceOf(n, c.bypass.path)] = 0;
  }
  for (const dir of directives) {
    const l = dir.level;
    if (dir.type === 'bypass') {
      for (const n of dir.keep) m.keep[l * DS + spaceOf(n, [...dir.path, 'keep'])] = 1;
      for (const n of dir.bypass) {
        if (dir.keep.includes(n)) throw fileError(src, [...dir.path, 'bypass'], `${n} is both kept and bypassed`);
        m.keep[l * DS + spaceOf(n, [...dir.path, 'bypass'])] = 0;
      }
      continue;
    }
    const factors = new Map<number, number>();
    for (const f of dir.factors) {
      const d = dimOf(f.dim, f.path);
      if (f.op !== '=') throw fileError(src, f.path, `'${f.dim}${f.op}${f.value}' is a constraint, not a factor`, 'a mapping gives factors as DIM=n');
      if (factors.has(d)) throw fileError(src, f.path, `two factors for ${f.dim}`);
      let v = f.value;
      if (v === 0) {
        v = problem.bounds[d]!;
        notes.push(noteAt(src, f.path, `${f.dim}=0 read as the whole dimension (${v})`));
      } else if (v > problem.bounds[d]!) {
        notes.push(noteAt(src, f.path, `${f.dim}=${v} exceeds the dimension (${problem.bounds[d]}): cut to it`));
        v = problem.bounds[d]!;
      }
      factors.set(d, v);
    }
    const perm: number[] = [];
    for (const name of dir.permutation?.dims ?? []) {
      const d = dimOf(name, dir.permutation!.path);
      if (perm.includes(d)) throw fileError(src, dir.permutation!.path, `dimension ${name} appears twice in the permutation`);
      perm.push(d);
    }
    if (dir.type === 'temporal') {
      for (const [d, f] of factors) m.temporal[l * D + d] = f;
      // Innermost first in the file; the arrays hold the order outermost first, unlisted dims outside.
      const rest = problem.dims.map((_, d) => d).filter((d) => !perm.includes(d));
      [...rest, ...[...perm].reverse()].forEach((d, k) => (m.order[l * D + k] = d));
      continue;
    }
    const fan = l + 1 < arch.levels.length ? arch.levels[l + 1]!.fanOut : arch.compute.fanOut;
    for (const [d, f] of factors) if (f > 1 && !perm.includes(d)) perm.push(d);
    let x = 1;
    perm.forEach((d, k) => {
      const f = factors.get(d) ?? 1;
      const toX = dir.split !== undefined ? k < dir.split : fan.meshY === 1 || (fan.meshX > 1 && x * f <= fan.meshX);
      if (toX) {
        m.spatialX[l * D + d] = f;
        x *= f;
      } else {
        m.spatialY[l * D + d] = f;
      }
    });
  }
  checkConstraints(problem, arch, m, constraints, notes);
  return { mapping: m, notes };
}

function directiveList(src: SourceDoc): { value: unknown; path: Path; target?: { value: unknown; path: Path } }[] {
  let list: { value: unknown; path: Path } | undefined;
  if (Array.isArray(src.value)) list = { value: src.value, path: [] };
  else if (isRecord(src.value)) {
    const root = new Fields(src, [], src.value, 'the mapping file');
    const top = root.take('mapping') ?? root.take('targets');
    if (!top) throw root.missingTop('mapping', 'a Timeloop mapping file has mapping: [{target, type, factors, permutation}, …]');
    list = Array.isArray(top.value) ? top : undefined;
    if (!list && isRecord(top.value)) {
      const inner = Fields.of(src, top.path, top.value, 'mapping');
      inner.take('version');
      list = inner.take('targets');
      inner.finish(['version', 'targets']);
    }
  }
  if (!list || !Array.isArray(list.value)) throw fileError(src, list?.path ?? [], 'a mapping is a list of directives');
  const out: { value: unknown; path: Path; target?: { value: unknown; path: Path } }[] = [];
  list.value.forEach((item, i) => {
    const path = [...list.path, i];
    if (isRecord(item) && Array.isArray(item.constraints)) {
      const f = Fields.of(src, path, item, 'a mapping target');
      const target = f.take('target', 'name');
      const cs = f.take('constraints')!;
      f.finish(['target', 'name', 'constraints']);
      (cs.value as unknown[]).forEach((c, k) => out.push({ value: c, path: [...cs.path, k], target }));
    } else {
      out.push({ value: item, path });
    }
  });
  return out;
}

function readDirective(src: SourceDoc, value: unknown, path: Path, outerTarget: { value: unknown; path: Path } | undefined, arch: Architecture, notes: Note[]): Directive | undefined {
  const f = Fields.of(src, path, value, 'a mapping directive');
  const attrs = f.take('attributes');
  const a = attrs ? Fields.of(src, attrs.path, attrs.value, 'attributes') : f;
  const typeField = f.take('type');
  if (!typeField || typeof typeField.value !== 'string') throw fileError(src, path, 'a directive needs a type', 'temporal, spatial or bypass');
  const type = TYPES[typeField.value];
  if (!type) throw fileError(src, typeField.path, `unknown directive type '${typeField.value}'${suggest(typeField.value, Object.keys(TYPES))}`, 'temporal, spatial or bypass');
  const target = f.take('target') ?? outerTarget;
  if (!target) throw fileError(src, path, 'a directive needs a target (a storage level)');
  const level = levelOf(src, target, arch);
  if (type === 'constraint') {
    notes.push(noteAt(src, typeField.path, `a ${typeField.value} constraint is for the mapper: not used`));
    for (const k of DIRECTIVE_KEYS) a.take(k);
    return undefined;
  }
  const factors = a.take('factors');
  const perm = a.take('permutation');
  const split = type === 'spatial' ? a.number('split', 'whole') : undefined;
  const names = (key: string) => {
    const got = a.take(key);
    if (!got) return [];
    if (!Array.isArray(got.value) || got.value.some((x) => typeof x !== 'string')) throw fileError(src, got.path, `${key} must be a list of data-space names`);
    return got.value as string[];
  };
  const dir: Directive = {
    level,
    type,
    factors: factors ? parseFactors(src, factors.path, factors.value) : [],
    ...(perm ? { permutation: { dims: parsePermutation(src, perm.path, perm.value), path: perm.path } } : {}),
    ...(split !== undefined ? { split } : {}),
    keep: type === 'bypass' ? names('keep') : [],
    bypass: type === 'bypass' ? names('bypass') : [],
    path,
  };
  if (type === 'bypass') a.take('no_coalesce');
  const allowed = type === 'bypass' ? ['target', 'type', 'keep', 'bypass', 'attributes', 'no_coalesce'] : ['target', 'type', 'factors', 'permutation', 'attributes', ...(type === 'spatial' ? ['split'] : [])];
  if (a !== f) a.finish(allowed);
  f.finish(allowed);
  return dir;
}

function levelOf(src: SourceDoc, target: { value: unknown; path: Path }, arch: Architecture): number {
  const L = arch.levels.length;
  if (typeof target.value === 'number') {
    if (!Number.isInteger(target.value) || target.value < 0 || target.value >= L) throw fileError(src, target.path, `no storage level ${target.value} (0 is the innermost, ${L - 1} the outermost)`);
    return L - 1 - target.value;
  }
  const name = String(target.value);
  const exact = arch.levels.findIndex((l) => l.name === name);
  if (exact >= 0) return exact;
  const loose = arch.levels.findIndex((l) => l.name.toLowerCase() === name.toLowerCase());
  if (loose >= 0) return loose;
  const names = arch.levels.map((l) => l.name);
  const hint = name === arch.compute.name ? `${name} is the compute unit; directives target storage levels` : `storage levels: ${names.join(', ')}`;
  throw fileError(src, target.path, `unknown target '${name}'${suggest(name, names)}`, hint);
}

/** Notes where the mapping departs from the architecture's v0.4 constraints (factors, permutations, keep/bypass). */
function checkConstraints(problem: Problem, arch: Architecture, m: MappingArrays, constraints: ArchConstraint[], notes: Note[]): void {
  const D = problem.dims.length;
  for (const c of constraints) {
    const l = arch.levels.findIndex((x) => x.name === c.level);
    if (c.type === 'dataspace') continue;
    for (const f of c.factors) {
      const d = problem.dims.indexOf(f.dim);
      if (d < 0) {
        notes.push({ ...f.at, message: `constraint on ${f.dim}: not a dimension of this problem` });
        continue;
      }
      const i = l * D + d;
      const got = c.type === 'temporal' ? m.temporal[i]! : c.axis === 'x' ? m.spatialX[i]! : c.axis === 'y' ? m.spatialY[i]! : m.spatialX[i]! * m.spatialY[i]!;
      const ok = f.op === '=' ? got === f.value : f.op === '<=' ? got <= f.value : got >= f.value;
      const what = c.type === 'temporal' ? 'temporal' : c.axis === 'both' ? 'spatial' : `spatial ${c.axis.toUpperCase()}`;
      if (!ok) notes.push({ ...f.at, message: `the mapping's ${what} factor ${f.dim}=${got} below ${c.level} breaks this constraint (${f.dim}${f.op}${f.value})` });
    }
  }
}

export type TimeloopMappingFormat = 'v0.3' | 'v0.4';

/**
 * Any mapping as a Timeloop mapping (outermost level first): per level a
 * temporal directive with every factor and the full permutation (innermost
 * first), a spatial directive where the level fans out (X dimensions, then
 * Y, `split` = the X count) and a bypass directive. `v0.4` writes lists and
 * `type: dataspace` (timeloopfe); `v0.3` strings and `type: datatype`
 * (which every C++ release reads).
 */
export function timeloopMapping(problem: Problem, arch: Architecture, m: MappingArrays, format: TimeloopMappingFormat = 'v0.4'): { mapping: Record<string, unknown>[] } {
  const { dims } = problem;
  const D = dims.length, DS = problem.dataSpaces.length;
  const oneLetter = dims.every((d) => d.length === 1);
  const factorList = (names: string[], value: (d: number) => number) => {
    const items = names.map((n) => `${n}=${value(dims.indexOf(n))}`);
    return format === 'v0.4' ? items : items.join(' ');
  };
  const permutation = (names: string[]) => (format === 'v0.4' ? names : oneLetter ? names.join('') : names.join(' '));
  const out: Record<string, unknown>[] = [];
  arch.levels.forEach((level, l) => {
    const order = Array.from({ length: D }, (_, k) => dims[m.order[l * D + k]!]!);
    out.push({ target: level.name, type: 'temporal', factors: factorList(dims, (d) => m.temporal[l * D + d]!), permutation: permutation([...order].reverse()) });
    const xs = dims.filter((_, d) => m.spatialX[l * D + d]! > 1);
    const ys = dims.filter((_, d) => m.spatialY[l * D + d]! > 1);
    const both = xs.find((n) => ys.includes(n));
    if (both) throw new Error(`dimension ${both} is split over both X and Y below ${level.name}: no Timeloop directive says that`);
    if (xs.length + ys.length > 0) {
      const rest = dims.filter((n) => !xs.includes(n) && !ys.includes(n));
      const spatial = [...xs, ...ys, ...rest];
      out.push({ target: level.name, type: 'spatial', factors: factorList(spatial, (d) => m.spatialX[l * D + d]! * m.spatialY[l * D + d]!), permutation: permutation(spatial), split: xs.length });
    }
    const keep = problem.dataSpaces.filter((_, s) => m.keep[l * DS + s]).map((x) => x.name);
    const bypass = problem.dataSpaces.filter((_, s) => !m.keep[l * DS + s]).map((x) => x.name);
    out.push({ target: level.name, type: format === 'v0.4' ? 'dataspace' : 'datatype', keep, bypass });
  });
  return { mapping: out };
}

/** The mapping as YAML text, one directive per line. */
export function timeloopMappingYaml(problem: Problem, arch: Architecture, m: MappingArrays, format: TimeloopMappingFormat = 'v0.4'): string {
  const doc = new Document(timeloopMapping(problem, arch, m, format));
  const list = isMap(doc.contents) ? doc.contents.get('mapping', true) : undefined;
  if (isSeq(list)) for (const item of list.items) if (isMap(item)) item.flow = true;
  return doc.toString({ lineWidth: 0 });
}
