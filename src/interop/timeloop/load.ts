import type { MappingArrays } from '../../mapping/mapping.js';
import type { Problem } from '../../problem/types.js';
import { readTimeloopArch, type TimeloopArch } from './arch.js';
import { readErt, type ErtMode } from './ert.js';
import { readTimeloopMapping } from './mapping.js';
import { readTimeloopProblem } from './problem.js';
import type { SourceDoc } from '../../util/source-file.js';
import { readTimeloopFile, type Note } from './source.js';

/** The three inputs of `timeloop-model` (and an Accelergy ERT), read into accelmap's types. */
export interface TimeloopFiles {
  arch: string;
  problem: string;
  mapping: string;
  ert?: string;
}

export interface TimeloopInputs {
  problem: Problem;
  arch: TimeloopArch;
  mapping: MappingArrays;
  /** Everything read but not used, or defaulted, in file order per file. */
  notes: Note[];
}

export function loadTimeloop(files: TimeloopFiles, ertMode: ErtMode = 'per-action'): TimeloopInputs {
  return readTimeloop(
    { problem: readTimeloopFile(files.problem), ert: files.ert !== undefined ? readTimeloopFile(files.ert) : undefined, arch: readTimeloopFile(files.arch), mapping: readTimeloopFile(files.mapping) },
    ertMode,
  );
}

/** The same from documents already parsed (`parseTimeloopYaml`). */
export function readTimeloop(docs: { arch: SourceDoc; problem: SourceDoc; mapping: SourceDoc; ert?: SourceDoc | undefined }, ertMode: ErtMode = 'per-action'): TimeloopInputs {
  const { problem, notes: problemNotes } = readTimeloopProblem(docs.problem);
  const ert = docs.ert !== undefined ? readErt(docs.ert) : undefined;
  const arch = readTimeloopArch(docs.arch, { ert, ertMode });
  const { mapping, notes: mappingNotes } = readTimeloopMapping(docs.mapping, problem, arch.arch, arch.constraints);
  return { problem, arch, mapping, notes: [...problemNotes, ...arch.notes, ...mappingNotes] };
}
