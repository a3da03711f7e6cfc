import type { Command } from 'commander';
import { readScaleSim, replayScaleSim, simulateSystolic, type ScaleSimInputs } from '../../api/interop.js';
import { REPORTS, SCALESIM_REPORTS, scaleSimReportFiles, type Report } from '../../report/scalesim-reports.js';
import { writeFolder } from '../../util/files.js';
import { stderrProgress } from '../../util/progress.js';
import { renderScaleSimReplay, renderSystolic } from '../../report/systolic-report.js';
import { oneOf, outputFolder } from '../flags.js';
import { toJson, warn, type Io } from '../io.js';

const CONVENTIONS = ['scalesim', 'accelmap'] as const;
type Convention = (typeof CONVENTIONS)[number];

interface SystolicFlags {
  config: string;
  topology: string;
  gemm?: boolean;
  json?: boolean;
  csv?: string;
  convention: Convention;
}

export function registerSystolic(program: Command, io: Io): void {
  program
    .command('systolic')
    .description('simulate a SCALE-Sim configuration and topology on a systolic array, cycle by cycle')
    .requiredOption('-c, --config <file>', 'SCALE-Sim .cfg file (array, SRAMs, dataflow, DRAM bandwidth)')
    .requiredOption('-t, --topology <file>', 'SCALE-Sim topology CSV')
    .option('--gemm', 'the topology is in GEMM form (Layer, M, N, K)')
    .option('--json', 'print JSON')
    .option('--csv <dir>', 'write COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv into <dir> (once every layer is done)', outputFolder('--csv', 'reports'))
    .option(
      '--convention <name>',
      "scalesim: SCALE-Sim v2's own figures in its own report columns (its buffer model); accelmap: accelmap's cycle-level model (partial sums kept on chip, DRAM moved per SRAM tile)",
      oneOf('--convention', CONVENTIONS),
      'scalesim',
    )
    .action((flags: SystolicFlags) => (flags.convention === 'scalesim' ? runScaleSim(flags, io) : runAccelmap(flags, io)));
}

/** Reads the inputs, printing the config's notes. */
function readInputs(flags: SystolicFlags, io: Io): ScaleSimInputs {
  const inputs = readScaleSim(flags.config, flags.topology, { gemm: flags.gemm });
  for (const n of inputs.notes) warn(io, n);
  return inputs;
}

/** Progress on stderr. */
function layerSinks(): { onProgress: (m: string) => void; done: () => void } {
  const progress = stderrProgress('systolic');
  return { onProgress: (m) => progress.update(m), done: () => progress.done() };
}

/** The `--csv` reports, written once every layer is done, each file whole: an interrupted run leaves none that look complete. */
function writeReports<R>(flags: SystolicFlags, reports: Report<R>[], results: R[]): void {
  if (flags.csv) writeFolder(flags.csv, scaleSimReportFiles(reports, results), 'reports');
}

function runScaleSim(flags: SystolicFlags, io: Io): void {
  const { config, layers } = readInputs(flags, io);
  const sinks = layerSinks();
  const replay = replayScaleSim(config, layers, sinks);
  sinks.done();
  writeReports(flags, SCALESIM_REPORTS, replay.layers);
  io.out(flags.json ? toJson({ config, convention: 'scalesim', ...replay }) : renderScaleSimReplay(config, replay));
}

function runAccelmap(flags: SystolicFlags, io: Io): void {
  const { config, array, layers } = readInputs(flags, io);
  const sinks = layerSinks();
  const result = simulateSystolic(array, layers, sinks);
  sinks.done();
  writeReports(flags, REPORTS, result.layers);
  io.out(flags.json ? toJson({ config, convention: 'accelmap', ...result }) : renderSystolic(config, result));
}
