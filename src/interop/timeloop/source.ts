import { readFileSync } from 'node:fs';
import { LineCounter, Pair, parseDocument, Scalar, type CollectionTag, type YAMLMap } from 'yaml';
import { AccelmapError } from '../../util/errors.js';
import { formatPath, locatedError, parseSource, type SourceDoc } from '../../util/source-file.js';
import { nearest, suggest } from '../../util/suggest.js';
import { isTemplate, renderTemplate } from './template.js';

/**
 * Reading Timeloop's YAML files: local tags of the v0.4 architecture format
 * (`!Container`, `!Component`, `!Parallel` …) become a `'!'` field of the map
 * they tag; keys are matched with hyphens and underscores interchangeable
 * (`word-bits` = `word_bits`); every problem is reported at its
 * `file:line:col`, and a key nobody reads is an error naming it (with the
 * nearest known key) or, for attributes only energy estimators read, a note.
 */
export const NODE_TAGS = ['Container', 'Component', 'Parallel', 'Hierarchical', 'Pipelined', 'Nothing'] as const;
export type NodeTag = (typeof NODE_TAGS)[number];

const TAG_KEY = '!';

const customTags: CollectionTag[] = NODE_TAGS.map((name) => ({
  tag: `!${name}`,
  collection: 'map',
  resolve(map) {
    (map as YAMLMap).items.unshift(new Pair(new Scalar(TAG_KEY), new Scalar(name)));
    return map;
  },
}));

/** Something read but not used, or defaulted: shown as a warning, never silently dropped. */
export interface Note {
  file: string;
  line?: number;
  col?: number;
  path: string;
  message: string;
  /** An attribute or key read but not used (summarized per file unless listed with --verbose). */
  ignored?: boolean;
}

export function renderNote(n: Note): string {
  const where = n.line !== undefined ? `${n.file}:${n.line}${n.col !== undefined ? `:${n.col}` : ''}` : n.file;
  return `${where}${n.path ? ` ${n.path}` : ''}: ${n.message}`;
}

/**
 * Notes as warning lines: each one, or (unless verbose) the ignored
 * attributes and keys summarized in one line per file.
 */
export function renderNotes(notes: readonly Note[], verbose: boolean): string[] {
  if (verbose) return notes.map(renderNote);
  const ignored = new Map<string, number>();
  for (const n of notes) if (n.ignored) ignored.set(n.file, (ignored.get(n.file) ?? 0) + 1);
  const summaries = [...ignored].map(([file, count]) => `${file}: ${count} attribute${count === 1 ? '' : 's'} and key${count === 1 ? '' : 's'} read but not used by the model (--verbose lists them)`);
  return [...summaries, ...notes.filter((n) => !n.ignored).map(renderNote)];
}

export function readTimeloopFile(file: string): SourceDoc {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AccelmapError('io', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file });
  }
  return parseTimeloopYaml(isTemplate(text) ? renderTemplate(text, file) : text, file);
}

export function parseTimeloopYaml(text: string, file: string): SourceDoc {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, customTags, prettyErrors: false });
  const unresolved = doc.errors.length === 0 ? doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED') : undefined;
  if (unresolved) {
    const pos = lineCounter.linePos(unresolved.pos[0]);
    const tag = /!\S+/.exec(text.slice(unresolved.pos[0]))?.[0] ?? 'tag';
    throw new AccelmapError('bad-file', `unknown tag ${tag}`, { file, line: pos.line, col: pos.col }, `tags are ${NODE_TAGS.map((t) => `!${t}`).join(', ')}`);
  }
  return parseSource(text, file, 'bad-file', customTags);
}

/** The node tag of a parsed map (`Container` for `!Container`), if any. */
export function tagOf(value: unknown): NodeTag | undefined {
  return isRecord(value) ? (value[TAG_KEY] as NodeTag | undefined) : undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A key as Timeloop compares them: hyphens and underscores alike. */
export function normalKey(key: string): string {
  return key.replace(/-/g, '_');
}

export type Path = PropertyKey[];

const NUMBER_CHECKS = {
  positive: [(v: number) => v > 0, 'a positive number'],
  'non-negative': [(v: number) => v >= 0, 'a non-negative number'],
  integer: [(v: number) => Number.isInteger(v) && v >= 1, 'a positive integer'],
  whole: [(v: number) => Number.isInteger(v) && v >= 0, 'a whole number'],
} as const;

/**
 * A YAML map being read field by field. `take` returns the value of the first
 * of several synonyms present (two synonyms with different values are an
 * error); `finish` reports the keys nobody took.
 */
export class Fields {
  private readonly byKey = new Map<string, string>();
  private readonly used = new Set<string>();

  constructor(
    readonly src: SourceDoc,
    readonly path: Path,
    readonly value: Record<string, unknown>,
    readonly what: string,
  ) {
    for (const k of Object.keys(value)) if (k !== TAG_KEY) this.byKey.set(normalKey(k), k);
  }

  static of(src: SourceDoc, path: Path, value: unknown, what: string): Fields {
    if (!isRecord(value)) throw fileError(src, path, `${what} must be a map`);
    return new Fields(src, path, value, what);
  }

  has(...names: string[]): boolean {
    return names.some((n) => this.byKey.has(normalKey(n)));
  }

  /** The value and its path, for the first synonym present. */
  take(...names: string[]): { value: unknown; path: Path } | undefined {
    let found: { value: unknown; path: Path; key: string } | undefined;
    for (const n of names) {
      const key = this.byKey.get(normalKey(n));
      if (key === undefined) continue;
      this.used.add(key);
      const value = this.value[key];
      if (found && JSON.stringify(found.value) !== JSON.stringify(value)) {
        throw fileError(this.src, [...this.path, key], `'${key}' (${String(value)}) contradicts '${found.key}' (${String(found.value)})`, 'give one of them');
      }
      found ??= { value, path: [...this.path, key], key };
    }
    return found;
  }

  /** A number: `positive` (> 0), `non-negative`, `integer` (whole, ≥ 1) or `whole` (≥ 0). */
  number(names: string | string[], check: keyof typeof NUMBER_CHECKS = 'positive'): number | undefined {
    const got = this.take(...(Array.isArray(names) ? names : [names]));
    if (!got) return undefined;
    const v = typeof got.value === 'string' && got.value.trim() !== '' ? Number(got.value) : got.value;
    const [ok, what] = NUMBER_CHECKS[check];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw fileError(this.src, got.path, `'${String(got.value)}' is not ${what}`);
    return v;
  }

  string(names: string | string[]): string | undefined {
    const got = this.take(...(Array.isArray(names) ? names : [names]));
    if (!got) return undefined;
    if (typeof got.value !== 'string' && typeof got.value !== 'number') throw fileError(this.src, got.path, 'must be a name');
    return String(got.value);
  }

  /** The keys not taken. */
  rest(): string[] {
    return [...this.byKey.values()].filter((k) => !this.used.has(k));
  }

  /** Keys neither taken nor in `known` are errors, with the nearest known key as a hint. */
  finish(known: readonly string[]): void {
    const names = known.map(normalKey);
    const key = this.rest().find((k) => !names.includes(normalKey(k)));
    if (key === undefined) return;
    throw fileError(this.src, [...this.path, key], `unknown key '${key}' in ${this.what}${suggest(normalKey(key), names)}`, `${this.what} takes ${known.join(', ')}`);
  }

  /** A required top-level key is missing: a key within two edits of it is named, else the file. */
  missingTop(name: string, hint: string): AccelmapError {
    const near = this.rest().find((k) => nearest(k, [name]) !== undefined);
    if (near !== undefined) return fileError(this.src, [...this.path, near], `unknown key '${near}' (did you mean ${name}?)`, hint);
    return fileError(this.src, this.path, `no '${name}:' key`, hint);
  }

  /** A required key is missing: a misspelled key is reported first, as the likelier mistake. */
  missing(known: readonly string[], message: string, hint?: string): AccelmapError {
    this.finish(known);
    return fileError(this.src, this.path, message, hint);
  }

  note(key: string, message: string, ignored = false): Note {
    const n = noteAt(this.src, [...this.path, key], message);
    return ignored ? { ...n, ignored } : n;
  }
}

export function fileError(src: SourceDoc, path: Path, message: string, hint?: string): AccelmapError {
  return locatedError('bad-file', message, src, path, hint);
}

export function noteAt(src: SourceDoc, path: Path, message: string): Note {
  const pos = src.locate(path);
  return { file: src.file, line: pos?.line, col: pos?.col, path: formatPath(path), message };
}
