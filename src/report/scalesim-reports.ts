import type { ScaleSimLayer } from '../interop/scalesim/replay.js';
import type { LayerResult } from '../sim/systolic/types.js';

/**
 * SCALE-Sim's three report files, one line per layer, with its column names
 * and its `, `-separated, comma-terminated lines. Cycles are accelmap's
 * counts (one more than SCALE-Sim prints for the total, see
 * `LayerResult.scaleSim`); two columns at the end of COMPUTE_REPORT give the
 * figures as SCALE-Sim prints them. SRAM and DRAM start/stop cycles are the
 * cycles in which words cross the interface (SCALE-Sim adds one cycle of SRAM
 * read latency to its read cycles).
 */
export interface Report<R = LayerResult> {
  file: string;
  header: string[];
  row(layerId: number, r: R): (number | string)[];
}

const DETAIL_STREAMS = ['SRAM IFMAP', 'SRAM Filter', 'SRAM OFMAP', 'DRAM IFMAP', 'DRAM Filter', 'DRAM OFMAP'];
const DETAIL_HEADER = ['LayerID', ...DETAIL_STREAMS.flatMap((s, i) => [`${s} Start Cycle`, `${s} Stop Cycle`, `${s} ${i === 2 || i === 5 ? 'Writes' : 'Reads'}`])];
const BANDWIDTH_HEADER = ['LayerID', 'Avg IFMAP SRAM BW', 'Avg FILTER SRAM BW', 'Avg OFMAP SRAM BW', 'Avg IFMAP DRAM BW', 'Avg FILTER DRAM BW', 'Avg OFMAP DRAM BW'];

const percent = (fraction: number) => fraction * 100;

export const REPORTS: Report[] = [
  {
    file: 'COMPUTE_REPORT.csv',
    header: ['LayerID', 'Total Cycles', 'Stall Cycles', 'Overall Util %', 'Mapping Efficiency %', 'Compute Util %', 'SCALE-Sim Total Cycles', 'SCALE-Sim Compute Util %'],
    row: (id, r) => [id, r.totalCycles, r.stallCycles, percent(r.overallUtilization), percent(r.mappingEfficiency), percent(r.computeUtilization), r.scaleSim.totalCycles, percent(r.scaleSim.computeUtilization)],
  },
  {
    file: 'BANDWIDTH_REPORT.csv',
    header: BANDWIDTH_HEADER,
    row: (id, r) => {
      const { sram, dram } = r.averageBandwidthWordsPerCycle;
      return [id, sram.ifmap, sram.filter, sram.ofmap, dram.ifmap, dram.filter, dram.ofmap];
    },
  },
  {
    file: 'DETAILED_ACCESS_REPORT.csv',
    header: DETAIL_HEADER,
    row: (id, r) => [id, ...[r.sram.ifmapReads, r.sram.filterReads, r.sram.ofmapWrites, r.dram.ifmapReads, r.dram.filterReads, r.dram.ofmapWrites].flatMap((s) => [s.startCycle, s.stopCycle, s.words])],
  },
];

/**
 * The same three files with SCALE-Sim's own figures (replay.ts), printed as
 * SCALE-Sim prints them — floating-point values in Python's notation
 * (`1.0`, `3e-05`) where SCALE-Sim holds them as floats — so that its
 * report folder and accelmap's can be compared with diff.
 */
export const SCALESIM_REPORTS: Report<ScaleSimLayer>[] = [
  {
    file: 'COMPUTE_REPORT.csv',
    header: ['LayerID', 'Total Cycles', 'Stall Cycles', 'Overall Util %', 'Mapping Efficiency %', 'Compute Util %'],
    row: (id, r) => [id, r.totalCycles, r.stallCycles, ...[r.overallUtilization, r.mappingEfficiency, r.computeUtilization].map(pythonFloat)],
  },
  {
    file: 'BANDWIDTH_REPORT.csv',
    header: BANDWIDTH_HEADER,
    row: (id, { bandwidth: { sram, dram } }) => [id, ...[sram.ifmap, sram.filter, sram.ofmap, dram.ifmap, dram.filter, dram.ofmap].map(pythonFloat)],
  },
  {
    file: 'DETAILED_ACCESS_REPORT.csv',
    header: DETAIL_HEADER,
    row: (id, { sram, dram }) => [id, ...[sram.ifmap, sram.filter, sram.ofmap, dram.ifmap, dram.filter, dram.ofmap].flatMap((s) => [pythonFloat(s.startCycle), pythonFloat(s.stopCycle), s.words])],
  },
];

/** A float as Python's repr writes it: `2.0`, `0.5`, `3e-05`, `1e+16`. */
export function pythonFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [mantissa, exponent] = x.toExponential().split('e') as [string, string];
    const e = Number(exponent);
    return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}

/** One report line as SCALE-Sim writes it: `a, b, c,`. */
function reportLine(cells: (string | number)[]): string {
  return cells.join(', ') + ',\n';
}

/** The report files of a run, each whole: its header line, then one line per layer. */
export function scaleSimReportFiles<R>(reports: Report<R>[], results: R[]): { name: string; text: string }[] {
  return reports.map((r) => ({ name: r.file, text: [r.header, ...results.map((x, i) => r.row(i, x))].map(reportLine).join('') }));
}
