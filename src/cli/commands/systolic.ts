import type { Command } from 'commander';
import { readScaleSim, replayScaleSim, simulateSystolic, type ScaleSimInputs } from '../../api/interop.js';
import type { ScaleSimConfig } from '../../interop/scalesim/config.js';
import type { ScaleSimLayer } from '../../interop/scalesim/replay.js';
import { REPORTS, SCALESIM_REPORTS, reportLine, type Report } from '../../interop/scalesim/reports.js';
import { writeFolder } from '../../util/files.js';
import { stderrProgress } from '../../util/progress.js';
import { renderTable } from '../../report/table.js';
import { formatCount, formatPercent } from '../../util/units.js';
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
  if (flags.csv) writeFolder(flags.csv, reports.map((r) => ({ name: r.file, text: [r.header, ...results.map((x, i) => r.row(i, x))].map(reportLine).join('') })), 'reports');
}

function configLine(config: ScaleSimConfig, bandwidth: string): string {
  const df = config.dataflow;
  return `${config.runName}: ${config.arrayHeight}×${config.arrayWidth} array, ${df} dataflow, SRAM ifmap/filter/ofmap ${config.ifmapSramKb}/${config.filterSramKb}/${config.ofmapSramKb} kB, DRAM bandwidth ${bandwidth}\n`;
}

function runScaleSim(flags: SystolicFlags, io: Io): void {
  const { config, layers } = readInputs(flags, io);
  const sinks = layerSinks();
  const { layers: results, totals } = replayScaleSim(config, layers, sinks);
  sinks.done();
  writeReports(flags, SCALESIM_REPORTS, results);
  if (flags.json) return io.out(toJson({ config, convention: 'scalesim', layers: results, totals }));
  io.out(configLine(config, config.interfaceBandwidth === 'CALC' ? 'as SCALE-Sim sizes it (CALC)' : `${config.bandwidthWordsPerCycle} words/cycle per SRAM (USER)`));
  const rows = results.map((r: ScaleSimLayer) => [
    r.name,
    r.totalCycles,
    r.stallCycles,
    `${r.overallUtilization.toFixed(2)}%`,
    `${r.mappingEfficiency.toFixed(2)}%`,
    `${r.computeUtilization.toFixed(2)}%`,
    formatCount(r.sram.ifmap.words + r.sram.filter.words),
    formatCount(r.sram.ofmap.words),
    formatCount(r.dram.ifmap.words + r.dram.filter.words),
    formatCount(r.dram.ofmap.words),
  ]);
  rows.push(['total', totals.totalCycles, totals.stallCycles, '', '', '', '', '', '', '']);
  io.out(renderTable(['layer', 'cycles', 'stalls', 'overall util', 'mapping eff', 'compute util', 'SRAM reads', 'SRAM writes', 'DRAM reads', 'DRAM writes'], rows));
  io.out(
    `\nSCALE-Sim v2's figures and conventions: cycles as it prints them (the last cycle's index), every ofmap SRAM write also a DRAM write; --convention accelmap for accelmap's own model. MACs: ${formatCount(totals.macs)}`,
  );
}

function runAccelmap(flags: SystolicFlags, io: Io): void {
  const { config, array: spec, layers } = readInputs(flags, io);
  const sinks = layerSinks();
  const { layers: results, totals } = simulateSystolic(spec, layers, sinks);
  sinks.done();
  writeReports(flags, REPORTS, results);
  if (flags.json) return io.out(toJson({ config, convention: 'accelmap', array: spec, layers: results, totals }));
  io.out(configLine(config, spec.dramBandwidth === 'calc' ? 'computed per operand (CALC)' : `${spec.dramBandwidth} words/cycle per SRAM (USER)`));
  const rows = results.map((r) => [
    r.name,
    `${r.gemm.m}×${r.gemm.n}×${r.gemm.k}`,
    r.folds.total,
    r.totalCycles,
    r.stallCycles,
    formatPercent(r.overallUtilization, 2),
    formatPercent(r.mappingEfficiency, 2),
    formatPercent(r.computeUtilization, 2),
    formatCount(r.sram.ifmapReads.words + r.sram.filterReads.words),
    formatCount(r.sram.ofmapWrites.words),
    formatCount(r.dram.ifmapReads.words + r.dram.filterReads.words + r.dram.ofmapReads),
    formatCount(r.dram.ofmapWrites.words),
  ]);
  rows.push(['total', '', results.reduce((a, r) => a + r.folds.total, 0), totals.totalCycles, totals.stallCycles, formatPercent(totals.overallUtilization, 2), '', '', '', '', '', '']);
  io.out(renderTable(['layer', 'GEMM m×n×k', 'folds', 'cycles', 'stalls', 'overall util', 'mapping eff', 'compute util', 'SRAM reads', 'SRAM writes', 'DRAM reads', 'DRAM writes'], rows));
  io.out(`\nwords are 1 byte; cycles count every cycle (SCALE-Sim prints one less per layer); MACs: ${formatCount(totals.macs)}`);
}
