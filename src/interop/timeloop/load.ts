import type { MappingArrays } from '../../mapping/mapping.js';
import type { Problem } from '../../problem/types.js';
import { readTimeloopArch, type TimeloopArch } from './arch.js';
import { readErt, type ErtMode } from './ert.js';
import { readTimeloopMapping } from './mapping.js';
import { readTimeloopProblem } from './problem.js';
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
  const { problem, notes: problemNotes } = readTimeloopProblem(readTimeloopFile(files.problem));
  const ert = files.ert !== undefined ? readErt(readTimeloopFile(files.ert)) : undefined;
  const arch = readTimeloopArch(readTimeloopFile(files.arch), { ert, ertMode });
  const { mapping, notes: mappingNotes } = readTimeloopMapping(readTimeloopFile(files.mapping), problem, arch.arch, arch.constraints);
  return { problem, arch, mapping, notes: [...problemNotes, ...arch.notes, ...mappingNotes] };
}
