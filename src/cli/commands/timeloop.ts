import type { Command } from 'commander';
import { ERT_MODES, type ErtMode } from '../../interop/timeloop/ert.js';
import { readTimeloop } from '../../api/interop.js';
import type { Convention } from '../../mapping/model.js';
import { formatTimeloopStats } from '../../report/timeloop-stats.js';
import { conventionOption } from '../convention-option.js';
import { oneOf } from '../flags.js';
import { toJson, warn, type Io } from '../io.js';

interface TimeloopFlags {
  ert?: string;
  ertEnergy: ErtMode;
  rwFills: 'elided' | 'parent-share';
  convention: Convention;
  json?: boolean;
  verbose?: boolean;
}

export function registerTimeloop(program: Command, io: Io): void {
  program
    .command('timeloop')
    .description("evaluate Timeloop input files (architecture, problem, mapping; Accelergy ERT) and print Timeloop's stats")
    .argument('<files...>', "Timeloop YAML files, merged as Timeloop merges them (architecture, problem, mapping; or one parsed-processed-input.yaml and the mapper's map.yaml)")
    .option('--ert <file>', 'Accelergy energy reference table (ERT.yaml); else the ERT: key of the inputs')
    .option('--ert-energy <mode>', "per-action: each access costs its own action (Timeloop's current convention); max: every access costs the component's most expensive action (earlier releases)", oneOf('--ert-energy', ERT_MODES), 'per-action')
    .option('--rw-fills <mode>', "elided: read-write fills leave out the partition (Timeloop's current convention); parent-share: earlier releases", oneOf('--rw-fills', ['elided', 'parent-share'] as const), 'elided')
    .addOption(conventionOption('timeloop'))
    .option('--json', 'print JSON')
    .option('--verbose', 'list every attribute and key read but not used (else one line per file)')
    .action((files: string[], flags: TimeloopFlags) => {
      const r = readTimeloop(files, { ert: flags.ert, ertEnergy: flags.ertEnergy, readWriteFills: flags.rwFills, convention: flags.convention, verbose: flags.verbose });
      for (const n of r.notes) warn(io, n);
      const { stats } = r;
      if (flags.json) {
        const { cost, ...rest } = stats;
        return io.out(toJson({ problem: r.problem, ...rest, cost }));
      }
      io.out(formatTimeloopStats(stats));
    });
}
