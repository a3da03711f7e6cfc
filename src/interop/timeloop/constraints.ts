import type { Architecture } from '../../arch/types.js';
import type { Problem } from '../../problem/types.js';
import type { ConstraintEntry, UserConstraints } from '../../search/constraints-file.js';
import type { SourceDoc } from '../../util/source-file.js';
import type { ArchConstraint } from './arch.js';
import { docFor, type TimeloopDocs } from './load.js';
import { parseFactors, parsePermutation, type Factor } from './loops.js';
import { Fields, fileError, isRecord, noteAt, type Note, type Path } from './source.js';

/**
 * The mapspace Timeloop's mapper searches, as accelmap search constraints:
 * `architecture_constraints` and `mapspace_constraints` (`targets:` lists, as
 * timeloopfe writes them, or bare lists) and the constraints written inline on
 * v0.4 nodes. Per target level: a temporal factor fixes the dim there (1
 * forbids it), a permutation naming every dim fixes the loop order (innermost
 * first), a spatial permutation and split say which dims may go on X (the
 * first `split`) and which on Y, keep/bypass fix what the level holds.
 * What accelmap's search cannot express is noted and left out: factor bounds
 * (`C<=4`), partial permutations that constrain a dim of more than one
 * iteration, and the mapper's other options.
 */
export interface TimeloopMapspace {
  user: UserConstraints;
  notes: Note[];
}

interface Raw {
  target: string;
  type: string;
  factors: Factor[];
  permutation?: string[];
  split?: number;
  axis?: 'x' | 'y' | 'both';
  keep: string[];
  bypass: string[];
  src: SourceDoc;
  path: Path;
}

const TARGET_KEYS = ['target', 'name', 'type', 'factors', 'permutation', 'split', 'keep', 'bypass', 'min', 'max_overbooked_proportion', 'no_reuse', 'no_link_transfer', 'default_max_factor', 'default_min_factor', 'maximize_dims', 'factors_only', 'rmw_first_update', 'no_coalesce', 'remainders'];

export function timeloopMapspace(docs: TimeloopDocs, problem: Problem, arch: Architecture, inline: ArchConstraint[]): TimeloopMapspace {
  const notes: Note[] = [];
  const raws: Raw[] = [];
  for (const key of ['architecture_constraints', 'mapspace_constraints', 'mapspace']) {
    const src = docs.byKey.get(key);
    if (!src) continue;
    const root = Fields.of(src, [], src.value, 'the file');
    const got = root.take(key)!;
    const list = isRecord(got.value) ? Fields.of(src, got.path, got.value, key).take('targets', 'constraints') : got;
    if (!list || list.value === null) continue;
    if (!Array.isArray(list.value)) throw fileError(src, list.path, `${key} targets must be a list`);
    list.value.forEach((t, i) => raws.push(readTarget(src, [...list.path, i], t)));
  }
  const archDoc = docs.byKey.get('architecture');
  for (const c of inline) {
    if (!archDoc) break;
    raws.push({
      target: c.level,
      type: c.type === 'dataspace' ? 'bypass' : c.type,
      factors: c.factors,
      permutation: c.permutation?.dims,
      split: c.split,
      axis: c.axis,
      keep: c.keep.names,
      bypass: c.bypass.names,
      src: archDoc,
      path: c.path,
    });
  }
  const entries: ConstraintEntry[] = [];
  const levels = arch.levels.map((l) => l.name);
  const spaces = problem.dataSpaces.map((s) => s.name);
  const live = (dim: string) => problem.dims.includes(dim) && problem.bounds[problem.dims.indexOf(dim)]! > 1;
  for (const r of raws) {
    if (!levels.includes(r.target)) {
      notes.push(noteAt(r.src, r.path, `constraint on '${r.target}', which is not a storage level: not used`));
      continue;
    }
    if (r.type === 'bypass' || r.type === 'datatype') {
      for (const n of [...r.keep, ...r.bypass]) if (!spaces.includes(n)) throw fileError(r.src, r.path, `unknown data space '${n}'`, `the problem's data spaces are ${spaces.join(', ')}`);
      entries.push({ target: r.target, type: 'bypass', keep: r.keep, bypass: r.bypass });
      continue;
    }
    if (r.type !== 'temporal' && r.type !== 'spatial') {
      notes.push(noteAt(r.src, r.path, `a ${r.type} constraint is not searched within: not used`));
      continue;
    }
    const bounds = r.factors.filter((f) => f.op !== '=' && live(f.dim));
    if (bounds.length) notes.push(noteAt(r.src, bounds[0]!.path, `factor bounds (${bounds.map((f) => `${f.dim}${f.op}${f.value}`).join(' ')}) are not searched within: not used`));
    const exact = r.factors.filter((f) => f.op === '=' && problem.dims.includes(f.dim));
    const fixed = exact.filter((f) => f.value > 1);
    const forbidden = new Set(exact.filter((f) => f.value === 1).map((f) => f.dim));
    const factors = fixed.length ? fixed.map((f) => `${f.dim}=${f.value}`).join(' ') : undefined;
    if (r.type === 'temporal') {
      const full = r.permutation && problem.dims.every((d) => r.permutation!.includes(d) || !live(d));
      if (r.permutation && !full && r.permutation.some(live)) notes.push(noteAt(r.src, r.path, `a partial permutation (${r.permutation.join('')}) at ${r.target}: its loop order is searched`));
      entries.push({ target: r.target, type: 'temporal', factors: [...exact.map((f) => `${f.dim}=${f.value}`)].join(' ') || undefined, ...(full ? { permutation: r.permutation!.filter((d) => problem.dims.includes(d)) } : {}) });
      continue;
    }
    // Spatial: the first `split` dims of the permutation go on X, the rest on Y.
    const perm = r.permutation ?? problem.dims;
    const split = r.split ?? (r.axis === 'y' ? 0 : perm.length);
    const usable = (ds: string[]) => ds.filter((d) => problem.dims.includes(d) && !forbidden.has(d));
    entries.push({ target: r.target, type: 'spatial', x: usable(perm.slice(0, split)), y: usable(perm.slice(split)), ...(factors ? { factors, permutation: perm, split } : {}) });
  }
  return { user: { src: raws[0]?.src ?? docFor(docs, ['architecture', 'arch'], 'architecture'), entries }, notes };
}

function readTarget(src: SourceDoc, path: Path, value: unknown): Raw {
  const f = Fields.of(src, path, value, 'a constraint target');
  const target = f.string(['target', 'name']);
  if (target === undefined) throw fileError(src, path, 'a constraint needs a target', 'give target: LEVEL');
  const type = f.string('type') ?? 'temporal';
  const factors = f.take('factors');
  const perm = f.take('permutation');
  const list = (key: string): string[] => {
    const got = f.take(key);
    if (!got || got.value === null) return [];
    if (!Array.isArray(got.value) || got.value.some((x) => typeof x !== 'string')) throw fileError(src, got.path, `${key} must be a list of data-space names`);
    return got.value as string[];
  };
  const split = f.has('split') ? f.number('split', 'whole') : undefined;
  const r: Raw = {
    target,
    type,
    factors: factors ? parseFactors(src, factors.path, factors.value) : [],
    ...(perm ? { permutation: parsePermutation(src, perm.path, perm.value) } : {}),
    ...(split !== undefined ? { split } : {}),
    keep: list('keep'),
    bypass: list('bypass'),
    src,
    path,
  };
  for (const k of TARGET_KEYS) f.take(k);
  f.finish(TARGET_KEYS);
  return r;
}
