import { findPrecision, type Architecture } from '../arch/types.js';
import type { Convention } from '../mapping/model.js';
import { tensorWidths } from '../mapping/widths.js';
import { dataSpaceFootprint, problemMacs, type Problem } from '../problem/types.js';
import { metricValue, type Objective } from './objective.js';

/**
 * What no mapping of a loop nest on an architecture can beat, from the
 * problem alone:
 *   cycles ≥ MACs ÷ (MAC units it can occupy × MACs per cycle), where it
 *            occupies at most min(MAC units, MACs); and ≥ the compulsory DRAM
 *            traffic (every element of every operand read once, every output
 *            written once) at DRAM's read, write and shared bandwidths;
 *   energy ≥ MACs × energy per MAC, plus the compulsory DRAM accesses at
 *            DRAM's energy per block (outputs at the cheaper of a fill and an
 *            update); under accelmap's convention also leakage over the
 *            cycles' bound, and each operand (a read-only data space) read
 *            for every MAC from some level that may hold it, one read of a
 *            level with n instances feeding at most MAC units ÷ n MACs (its
 *            multicast), at that level's energy per word (the cheapest
 *            level); under a named precision one read feeds a MAC unit's
 *            lanes too (at most MACs per cycle of them: mapping/model.ts).
 *            Timeloop's convention charges an access once per cluster, so
 *            there only the MACs and DRAM count.
 * Under a named precision every word counted is a tensor's, at its width in
 * the level's words (mapping/widths.ts), as the cost model counts them.
 * On-chip accesses, networks and padding only add to these, so a search
 * whose best is within a small gap of the bound may stop.
 */
export interface LowerBound {
  cycles: number;
  energyPj: number;
}

export function lowerBound(problem: Problem, arch: Architecture, o: { precision?: string; convention?: Convention } = {}): LowerBound {
  const mode = findPrecision(arch, o.precision);
  const { width, finalWidth } = tensorWidths(problem, arch, o.precision === undefined ? undefined : mode);
  const DS = problem.dataSpaces.length;
  const macs = problemMacs(problem);
  const dram = arch.levels[0]!;
  let read = 0, written = 0;
  problem.dataSpaces.forEach((ds, s) => {
    const n = dataSpaceFootprint(problem, ds);
    if (ds.readWrite) written += n * finalWidth[s]!;
    else read += n * width[s]!;
  });
  const compute = macs / (Math.min(arch.compute.instances, macs) * mode.macsPerCycle);
  const cycles = Math.max(compute, read / dram.readBandwidth, written / dram.writeBandwidth, (read + written) / dram.sharedBandwidth);
  const blocks = (words: number) => words / dram.blockSize;
  const accelmap = o.convention !== 'timeloop';
  let operands = 0;
  const lanes = o.precision === undefined ? 1 : Math.max(1, mode.macsPerCycle);
  if (accelmap) {
    problem.dataSpaces.forEach((ds, s) => {
      if (ds.readWrite) return;
      const perMac = arch.levels.flatMap((l, i) => (l.dataSpaces === null || l.dataSpaces.includes(ds.name) ? [((l.instances / arch.compute.instances) * l.energy.readPj * width[i * DS + s]!) / l.blockSize] : []));
      operands += (macs / lanes) * Math.min(...perMac);
    });
  }
  const leakPerCycle = accelmap ? arch.levels.reduce((s, l) => s + l.energy.leakPjPerCycle * l.instances, 0) : 0;
  const energyPj = macs * mode.energyPerMacPj + blocks(read) * dram.energy.readPj + blocks(written) * Math.min(dram.energy.fillPj, dram.energy.updatePj) + operands + leakPerCycle * cycles;
  return { cycles, energyPj };
}

/** The objective's primary metric at the bound, × (1 + gap): a best at or under it is within `gap` of the optimum. */
export function gapTarget(o: Objective, bound: LowerBound, gap: number): number {
  return metricValue(o.metrics[0]!, bound.cycles, bound.energyPj) * (1 + gap);
}
