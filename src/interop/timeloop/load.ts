import type { MappingArrays } from '../../mapping/mapping.js';
import type { Problem } from '../../problem/types.js';
import { AccelmapError } from '../../util/errors.js';
import type { SourceDoc } from '../../util/source-file.js';
import { readTimeloopArch, type TimeloopArch } from './arch.js';
import { readErt, type ErtMode } from './ert.js';
import { readTimeloopMapping } from './mapping.js';
import { readTimeloopProblem } from './problem.js';
import { isRecord, normalKey, readTimeloopFile, type Note } from './source.js';
import { resolveAttributes, resolveVariables } from './expressions.js';
import { checkSparseOptimizations } from './sparse.js';

/**
 * Timeloop's inputs as Timeloop takes them: any number of YAML files whose
 * top-level keys are merged, a later file's key replacing an earlier one's
 * (so `parsed-processed-input.yaml`, which holds architecture, problem,
 * mapping, constraints and ERT, may be given alone or as every argument).
 */
export interface TimeloopDocs {
  /** Normalized top-level key → the document that gives it (the last one). */
  byKey: Map<string, SourceDoc>;
  files: string[];
}

export function readTimeloopDocs(files: readonly string[]): TimeloopDocs {
  return timeloopDocs([...new Set(files)].map(readTimeloopFile));
}

/** The same from documents already parsed (`parseTimeloopYaml`), in the order given. */
export function timeloopDocs(parsed: readonly SourceDoc[]): TimeloopDocs {
  const byKey = new Map<string, SourceDoc>();
  for (const doc of parsed) {
    if (!isRecord(doc.value)) throw new AccelmapError('bad-file', 'a Timeloop input file must be a map of top-level keys (architecture, problem, mapping …)', { file: doc.file });
    for (const key of Object.keys(doc.value)) byKey.set(normalKey(key), doc);
  }
  for (const key of ['sparse_optimizations']) {
    const doc = byKey.get(key);
    if (doc) checkSparseOptimizations(doc, [Object.keys(doc.value as object).find((k) => normalKey(k) === key)!], (doc.value as Record<string, unknown>)[key]);
  }
  return { byKey, files: parsed.map((d) => d.file) };
}

/** The document giving the first of `keys`; `what` names it in the error when none does. */
export function docFor(docs: TimeloopDocs, keys: string[], what: string): SourceDoc {
  for (const k of keys) {
    const doc = docs.byKey.get(k);
    if (doc) return doc;
  }
  throw new AccelmapError('bad-file', `no ${what} among ${docs.files.join(', ')} (no top-level ${keys.map((k) => `'${k}:'`).join(' or ')})`, {}, 'give the Timeloop files that hold it, or parsed-processed-input.yaml');
}

/** The architecture document with its attribute expressions evaluated against `variables:` (expressions.ts). */
function withVariables(docs: TimeloopDocs, arch: SourceDoc): SourceDoc {
  const vars = docs.byKey.get('variables');
  const raw = vars ? (vars.value as Record<string, unknown>).variables : undefined;
  const variables = isRecord(raw) ? resolveVariables(raw) : new Map<string, number>();
  return { ...arch, value: resolveAttributes(arch.value, variables) };
}

export interface TimeloopInputs {
  problem: Problem;
  arch: TimeloopArch;
  mapping: MappingArrays;
  /** Everything read but not used, or defaulted, in file order per file. */
  notes: Note[];
}

export interface TimeloopDesign {
  problem: Problem;
  arch: TimeloopArch;
  notes: Note[];
}

export interface LoadOptions {
  /** An ERT file; else the ERT: key of the inputs, if any. */
  ert?: string;
  ertMode?: ErtMode;
}

/** Architecture (with its energies) and problem of merged Timeloop inputs. */
export function loadTimeloopDesign(docs: TimeloopDocs, options: LoadOptions = {}): TimeloopDesign {
  const { problem, notes: problemNotes } = readTimeloopProblem(docFor(docs, ['problem'], 'problem'));
  const ertDoc = options.ert !== undefined ? readTimeloopFile(options.ert) : docs.byKey.get('ERT');
  const ert = ertDoc ? readErt(ertDoc) : undefined;
  const arch = readTimeloopArch(withVariables(docs, docFor(docs, ['architecture', 'arch'], 'architecture')), { ert, ertMode: options.ertMode ?? 'per-action' });
  return { problem, arch, notes: [...problemNotes, ...arch.notes] };
}

export function loadTimeloop(files: readonly string[], options: LoadOptions = {}): TimeloopInputs {
  return timeloopInputs(readTimeloopDocs(files), options);
}

/** Problem, architecture and mapping of merged Timeloop inputs. */
export function timeloopInputs(docs: TimeloopDocs, options: LoadOptions = {}): TimeloopInputs {
  const { problem, arch, notes } = loadTimeloopDesign(docs, options);
  const mappingDoc = docFor(docs, ['mapping', 'targets'], 'mapping');
  const given = (mappingDoc.value as Record<string, unknown>).mapping;
  if (Array.isArray(given) && given.length === 0) {
    throw new AccelmapError('bad-file', 'the mapping is empty (mapping: [])', { file: mappingDoc.file, path: 'mapping' }, "a mapper run's mapping is in timeloop-mapper.map.yaml: give that file after this one");
  }
  const { mapping, notes: mappingNotes } = readTimeloopMapping(mappingDoc, problem, arch.arch, arch.constraints);
  return { problem, arch, mapping, notes: [...notes, ...mappingNotes] };
}
