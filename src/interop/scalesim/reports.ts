import type { LayerResult } from '../../sim/systolic/types.js';

/**
 * SCALE-Sim's three report files, one line per layer, with its column names
 * and its `, `-separated, comma-terminated lines. Cycles are accelmap's
 * counts (one more than SCALE-Sim prints for the total, see
 * `LayerResult.scaleSim`); two columns at the end of COMPUTE_REPORT give the
 * figures as SCALE-Sim prints them. SRAM and DRAM start/stop cycles are the
 * cycles in which words cross the interface (SCALE-Sim adds one cycle of SRAM
 * read latency to its read cycles).
 */
export interface Report {
  file: string;
  header: string[];
  row(layerId: number, r: LayerResult): number[];
}

const percent = (fraction: number) => fraction * 100;

export const REPORTS: Report[] = [
  {
    file: 'COMPUTE_REPORT.csv',
    header: ['LayerID', 'Total Cycles', 'Stall Cycles', 'Overall Util %', 'Mapping Efficiency %', 'Compute Util %', 'SCALE-Sim Total Cycles', 'SCALE-Sim Compute Util %'],
    row: (id, r) => [id, r.totalCycles, r.stallCycles, percent(r.overallUtilization), percent(r.mappingEfficiency), percent(r.computeUtilization), r.scaleSim.totalCycles, percent(r.scaleSim.computeUtilization)],
  },
  {
    file: 'BANDWIDTH_REPORT.csv',
    header: ['LayerID', 'Avg IFMAP SRAM BW', 'Avg FILTER SRAM BW', 'Avg OFMAP SRAM BW', 'Avg IFMAP DRAM BW', 'Avg FILTER DRAM BW', 'Avg OFMAP DRAM BW'],
    row: (id, r) => {
      const { sram, dram } = r.averageBandwidthWordsPerCycle;
      return [id, sram.ifmap, sram.filter, sram.ofmap, dram.ifmap, dram.filter, dram.ofmap];
    },
  },
  {
    file: 'DETAILED_ACCESS_REPORT.csv',
    header: ['LayerID', ...['SRAM IFMAP', 'SRAM Filter', 'SRAM OFMAP', 'DRAM IFMAP', 'DRAM Filter', 'DRAM OFMAP'].flatMap((s, i) => [`${s} Start Cycle`, `${s} Stop Cycle`, `${s} ${i === 2 || i === 5 ? 'Writes' : 'Reads'}`])],
    row: (id, r) => [id, ...[r.sram.ifmapReads, r.sram.filterReads, r.sram.ofmapWrites, r.dram.ifmapReads, r.dram.filterReads, r.dram.ofmapWrites].flatMap((s) => [s.startCycle, s.stopCycle, s.words])],
  },
];

/** One report line as SCALE-Sim writes it: `a, b, c,`. */
export function reportLine(cells: (string | number)[]): string {
  return cells.join(', ') + ',\n';
}
