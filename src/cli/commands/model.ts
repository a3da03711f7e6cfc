import type { Command } from 'commander';
import { loadArch } from '../../arch/load.js';
import { costOf } from '../../mapping/cost.js';
import { loadMappingFile } from '../../mapping/directives.js';
import type { Convention } from '../../mapping/model.js';
import { loadLayer } from '../../problem/load.js';
import { formatCost } from '../../report/cost-report.js';
import { timeloopMappingYaml, type TimeloopMappingFormat } from '../../interop/timeloop/mapping.js';
import { conventionOption } from '../convention-option.js';
import { oneOf, outputFile } from '../flags.js';
import { writeTextFile } from '../../util/files.js';
import { toJson, type Io } from '../io.js';

interface ModelFlags {
  arch: string;
  layer: string;
  mapping: string;
  precision?: string;
  convention: Convention;
  json?: boolean;
  timeloopOut?: string;
  timeloopFormat: TimeloopMappingFormat;
}

export function registerModel(program: Command, io: Io): void {
  program
    .command('model')
    .description('cost one layer under one mapping: accesses per level and data space, cycles, energy (Timeloop vocabulary)')
    .requiredOption('--arch <arch>', 'preset name or spec file')
    .requiredOption('--layer <spec>', 'conv:N=1,K=64,C=64,P=56,Q=56,R=3,S=3,stride=1 | matmul:M=128,N=768,K=768 | a layer file')
    .requiredOption('--mapping <file>', 'mapping file (Timeloop directives; or a layer of `accelmap map --json`)')
    .option('--precision <name>', 'precision mode of the compute unit (default: the first)')
    .addOption(conventionOption('accelmap'))
    .option('--json', 'print JSON')
    .option('--timeloop-out <file>', 'also write the mapping as a Timeloop mapping YAML file', outputFile('--timeloop-out', 'Timeloop mapping'))
    .option('--timeloop-format <version>', 'v0.4 (lists, type: dataspace) or v0.3 (strings, type: datatype)', oneOf('--timeloop-format', ['v0.4', 'v0.3'] as const), 'v0.4')
    .action((opts: ModelFlags) => {
      const arch = loadArch(opts.arch);
      const problem = loadLayer(opts.layer);
      const mapping = loadMappingFile(opts.mapping, problem, arch);
      const cost = costOf(problem, arch, mapping, { precision: opts.precision, convention: opts.convention });
      if (opts.timeloopOut) writeTextFile(opts.timeloopOut, timeloopMappingYaml(problem, arch, mapping, opts.timeloopFormat), 'Timeloop mapping');
      io.out(opts.json ? toJson({ layer: opts.layer, problem, ...cost }) : formatCost(cost, `${opts.layer} on ${arch.name}`));
    });
}
