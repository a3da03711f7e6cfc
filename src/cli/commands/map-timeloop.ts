import { join } from 'node:path';
import type { Command } from 'commander';
import { timeloopMapspace } from '../../interop/timeloop/constraints.js';
import { ERT_MODES, type ErtMode } from '../../interop/timeloop/ert.js';
import { loadTimeloopDesign, readTimeloopDocs, type TimeloopDesign } from '../../interop/timeloop/load.js';
import { timeloopMappingYaml } from '../../interop/timeloop/mapping.js';
import { renderNotes } from '../../interop/timeloop/source.js';
import { timeloopStats } from '../../interop/timeloop/stats.js';
import { formatTimeloopStats } from '../../report/timeloop-stats.js';
import { mappingFromDirectives } from '../../mapping/directives.js';
import type { Convention } from '../../mapping/model.js';
import type { NetworkResult } from '../../network/map.js';
import type { UserConstraints } from '../../search/constraints-file.js';
import { AccelmapError } from '../../util/errors.js';
import { writeTextFile } from '../../util/files.js';
import { conventionOption } from '../convention-option.js';
import { oneOf } from '../flags.js';
import { warn, type Io } from '../io.js';

/**
 * `accelmap map --timeloop FILE...`: the mapper on a design described in
 * Timeloop's files (merged as Timeloop merges them), within its
 * architecture and mapspace constraints; `--timeloop-out DIR` writes the best
 * mapping as Timeloop mapping YAML and its stats in Timeloop's format.
 */
export interface TimeloopMapFlags {
  timeloop?: string[];
  ert?: string;
  ertEnergy: ErtMode;
  convention: Convention;
  timeloopOut?: string;
  verbose?: boolean;
}

export function addTimeloopMapOptions(cmd: Command): Command {
  return cmd
    .option('--timeloop <files...>', "map the design of Timeloop input files (architecture, problem, constraints or mapspace; or parsed-processed-input.yaml) instead of a model")
    .option('--ert <file>', 'with --timeloop: Accelergy energy reference table; else the ERT: key of the inputs')
    .option('--ert-energy <mode>', 'with --timeloop: per-action (Timeloop\'s current convention) or max', oneOf('--ert-energy', ERT_MODES), 'per-action')
    .addOption(conventionOption('accelmap'))
    .option('--verbose', 'with --timeloop: list every attribute and key read but not used');
}

export interface TimeloopTarget {
  name: string;
  design: TimeloopDesign;
  constraints: UserConstraints;
}

export function timeloopTarget(model: string | undefined, opts: TimeloopMapFlags, io: Io): TimeloopTarget {
  if (model !== undefined) throw new AccelmapError('bad-flag', `give either a model ('${model}') or --timeloop, not both`);
  const docs = readTimeloopDocs(opts.timeloop!);
  const design = loadTimeloopDesign(docs, { ert: opts.ert, ertMode: opts.ertEnergy });
  const { user, notes } = timeloopMapspace(docs, design.problem, design.arch.arch, design.arch.constraints);
  for (const line of renderNotes([...design.notes, ...notes], opts.verbose === true)) warn(io, line);
  const name = design.problem.kind;
  return { name, design, constraints: user };
}

export function writeTimeloopOut(t: TimeloopTarget, result: NetworkResult, opts: TimeloopMapFlags, io: Io): void {
  const found = result.layers[0]?.problems[0]?.mapping;
  if (!found) throw new AccelmapError('infeasible', 'no valid mapping was found: nothing to write to --timeloop-out', {}, 'raise --budget or loosen the constraints');
  const { problem, arch } = t.design;
  const mapping = mappingFromDirectives(found, problem, arch.arch);
  const dir = opts.timeloopOut!;
  writeTextFile(join(dir, 'timeloop-mapper.map.yaml'), timeloopMappingYaml(problem, arch.arch, mapping), 'Timeloop mapping');
  writeTextFile(join(dir, 'timeloop-mapper.stats.txt'), `${formatTimeloopStats(timeloopStats(problem, arch, mapping, { convention: opts.convention }))}\n`, 'Timeloop stats');
  io.err(`wrote ${join(dir, 'timeloop-mapper.map.yaml')} and timeloop-mapper.stats.txt`);
}
