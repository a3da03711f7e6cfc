import type { ScaleSimReplayResult, SystolicResult } from '../api/interop.js';
import type { ScaleSimConfig } from '../interop/scalesim/config.js';
import { formatCount, formatPercent } from '../util/units.js';
import { renderTable } from './table.js';

/** The terminal reports of `accelmap systolic`: the configuration, one row per layer and a total. */

function configLine(config: ScaleSimConfig, bandwidth: string): string {
  const df = config.dataflow;
  return `${config.runName}: ${config.arrayHeight}×${config.arrayWidth} array, ${df} dataflow, SRAM ifmap/filter/ofmap ${config.ifmapSramKb}/${config.filterSramKb}/${config.ofmapSramKb} kB, DRAM bandwidth ${bandwidth}\n`;
}

/** SCALE-Sim's own figures (`--convention scalesim`). */
export function renderScaleSimReplay(config: ScaleSimConfig, { layers, totals }: ScaleSimReplayResult): string {
  const rows = layers.map((r) => [
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
  return [
    configLine(config, config.interfaceBandwidth === 'CALC' ? 'as SCALE-Sim sizes it (CALC)' : `${config.bandwidthWordsPerCycle} words/cycle per SRAM (USER)`) +
      renderTable(['layer', 'cycles', 'stalls', 'overall util', 'mapping eff', 'compute util', 'SRAM reads', 'SRAM writes', 'DRAM reads', 'DRAM writes'], rows),
    '',
    `SCALE-Sim v2's figures and conventions: cycles as it prints them (the last cycle's index), every ofmap SRAM write also a DRAM write; --convention accelmap for accelmap's own model. MACs: ${formatCount(totals.macs)}`,
  ].join('\n');
}

/** accelmap's cycle-level model (`--convention accelmap`). */
export function renderSystolic(config: ScaleSimConfig, { array, layers, totals }: SystolicResult): string {
  const rows = layers.map((r) => [
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
  rows.push(['total', '', layers.reduce((a, r) => a + r.folds.total, 0), totals.totalCycles, totals.stallCycles, formatPercent(totals.overallUtilization, 2), '', '', '', '', '', '']);
  return [
    configLine(config, array.dramBandwidth === 'calc' ? 'computed per operand (CALC)' : `${array.dramBandwidth} words/cycle per SRAM (USER)`) +
      renderTable(['layer', 'GEMM m×n×k', 'folds', 'cycles', 'stalls', 'overall util', 'mapping eff', 'compute util', 'SRAM reads', 'SRAM writes', 'DRAM reads', 'DRAM writes'], rows),
    '',
    `words are 1 byte; cycles count every cycle (SCALE-Sim prints one less per layer); MACs: ${formatCount(totals.macs)}`,
  ].join('\n');
}
