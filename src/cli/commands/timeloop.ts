import type { Command } from 'commander';
import { ERT_MODES, type ErtMode } from '../../interop/timeloop/ert.js';
import { loadTimeloop } from '../../interop/timeloop/load.js';
import { renderNote } from '../../interop/timeloop/source.js';
import { formatTimeloopStats, timeloopStats } from '../../interop/timeloop/stats.js';
import { isAccelmapError } from '../../util/errors.js';
import { oneOf } from '../flags.js';
import { toJson, warn, type Io } from '../io.js';

interface TimeloopFlags {
  ert?: string;
  ertEnergy: ErtMode;
  rwFills: 'elided' | 'parent-share';
  json?: boolean;
}

export function registerTimeloop(program: Command, io: Io): void {
  program
    .command('timeloop')
    .description("evaluate Timeloop input files (architecture, problem, mapping; Accelergy ERT) and print Timeloop's stats")
    .argument('<arch>', 'Timeloop architecture YAML (v0.3 subtree/local, v0.4 nodes, or classic arch:)')
    .argument('<problem>', 'Timeloop problem YAML')
    .argument('<mapping>', 'Timeloop mapping YAML')
    .option('--ert <file>', 'Accelergy energy reference table (ERT.yaml)')
    .option('--ert-energy <mode>', "per-action: each access costs its own action (Timeloop's current convention); max: every access costs the component's most expensive action (earlier releases)", oneOf('--ert-energy', ERT_MODES), 'per-action')
    .option('--rw-fills <mode>', "elided: read-write fills leave out the partition (Timeloop's current convention); parent-share: earlier releases", oneOf('--rw-fills', ['elided', 'parent-share'] as const), 'elided')
    .option('--json', 'print JSON')
    .action((arch: string, problem: string, mapping: string, flags: TimeloopFlags) => {
      const inputs = loadTimeloop({ arch, problem, mapping, ert: flags.ert }, flags.ertEnergy);
      for (const n of inputs.notes) warn(io, renderNote(n));
      let stats;
      try {
        stats = timeloopStats(inputs.problem, inputs.arch, inputs.mapping, { readWriteFills: flags.rwFills });
      } catch (e) {
        throw isAccelmapError(e) ? e.at({ file: mapping }) : e;
      }
      if (flags.json) {
        const { cost, ...rest } = stats;
        return io.out(toJson({ problem: inputs.problem, ...rest, cost }));
      }
      io.out(formatTimeloopStats(stats));
    });
}
