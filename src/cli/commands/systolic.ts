import type { Command } from 'commander';
import { readScaleSimConfig, toArraySpec } from '../../interop/scalesim/config.js';
import { REPORTS, reportLine } from '../../interop/scalesim/reports.js';
import { readTopology } from '../../interop/scalesim/topology.js';
import { networkTotals, simulateLayer } from '../../sim/systolic/simulate.js';
import type { LayerResult } from '../../sim/systolic/types.js';
import { writeFolder } from '../../util/files.js';
import { stderrProgress } from '../../util/progress.js';
import { renderTable } from '../../util/table.js';
import { formatCount, formatPercent } from '../../util/units.js';
import { outputFolder } from '../flags.js';
import { toJson, warn, type Io } from '../io.js';

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
    .option('--csv <dir>', 'write COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv into <dir> (once every layer is done)', outputFolder('--csv', 'reports'))
    .action((flags: SystolicFlags) => runSystolic(flags, io));
}

function runSystolic(flags: SystolicFlags, io: Io): void {
  const { config, notes } = readScaleSimConfig(flags.config);
  for (const n of notes) warn(io, `${n.file}:${n.line} ${n.key}: ${n.message}`);
  const layers = readTopology(flags.topology, flags.gemm ? 'gemm' : 'conv');
  const spec = toArraySpec(config);

  const progress = stderrProgress('systolic');
  const results: LayerResult[] = [];
  layers.forEach((layer, i) => {
    const label = `layer ${i + 1}/${layers.length} ${layer.name}`;
    const result = simulateLayer(spec, layer, { onFold: (done, total) => progress.update(`${label}: fold ${done}/${total}`) });
    results.push(result);
  });
  const totals = networkTotals(spec, results);
  progress.done();
  if (flags.csv) writeFolder(flags.csv, REPORTS.map((r) => ({ name: r.file, text: [r.header, ...results.map((x, i) => r.row(i, x))].map(reportLine).join('') })), 'reports');

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
