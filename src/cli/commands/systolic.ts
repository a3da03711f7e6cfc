import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { readScaleSim, simulateSystolic } from '../../api/interop.js';
import { REPORTS, reportLine } from '../../interop/scalesim/reports.js';
import { AccelmapError } from '../../util/errors.js';
import { fileErrorReason } from '../../util/files.js';
import { stderrProgress } from '../../util/progress.js';
import { renderTable } from '../../util/table.js';
import { formatCount, formatPercent } from '../../util/units.js';
import { toJson, type Io } from '../io.js';

interface SystolicFlags {
  config: string;
  topology: string;
  gemm?: boolean;
  json?: boolean;
  csv?: string;
}

export function registerSystolic(program: Command, io: Io): void {
  program
    .command('systolic')
    .description('simulate a SCALE-Sim configuration and topology on a systolic array, cycle by cycle')
    .requiredOption('-c, --config <file>', 'SCALE-Sim .cfg file (array, SRAMs, dataflow, DRAM bandwidth)')
    .requiredOption('-t, --topology <file>', 'SCALE-Sim topology CSV')
    .option('--gemm', 'the topology is in GEMM form (Layer, M, N, K)')
    .option('--json', 'print JSON')
    .option('--csv <dir>', 'write COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv into <dir>')
    .action((flags: SystolicFlags) => runSystolic(flags, io));
}

function runSystolic(flags: SystolicFlags, io: Io): void {
  const { config, array: spec, layers, notes } = readScaleSim(flags.config, flags.topology, { gemm: flags.gemm });
  for (const n of notes) io.err(`accelmap: warning: ${n}`);
  if (flags.csv) startReports(flags.csv);
  const progress = stderrProgress('systolic');
  const { layers: results, totals } = simulateSystolic(spec, layers, {
    onProgress: (m) => progress.update(m),
    onLayer: (i, result) => {
      if (flags.csv) for (const r of REPORTS) appendFileSync(join(flags.csv, r.file), reportLine(r.row(i, result)));
    },
  });
  progress.done();

  if (flags.json) return io.out(toJson({ config, array: spec, layers: results, totals }));
  const bw = spec.dramBandwidth === 'calc' ? 'computed per operand (CALC)' : `${spec.dramBandwidth} words/cycle per SRAM (USER)`;
  io.out(
    `${config.runName}: ${spec.rows}×${spec.cols} array, ${spec.dataflow} dataflow, SRAM ifmap/filter/ofmap ${config.ifmapSramKb}/${config.filterSramKb}/${config.ofmapSramKb} kB, DRAM bandwidth ${bw}\n`,
  );
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

/** Creates `dir` and writes the report headers, so that each layer can be appended as it finishes. */
function startReports(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    for (const r of REPORTS) writeFileSync(join(dir, r.file), reportLine(r.header));
  } catch (e) {
    throw new AccelmapError('io', `cannot write reports: ${fileErrorReason(e)}`, { file: dir });
  }
}
