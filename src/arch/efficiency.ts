import type { Architecture } from './types.js';

/**
 * Efficiency per precision mode, chip-wide (all cores):
 * - peak TOPS: 2 ops per MAC × MACs per cycle × clock × cores;
 * - TOPS/W at a utilization u: ops per joule of a compute-bound steady state
 *   where each MAC reads its two operands from the innermost storage level
 *   and updates one partial sum there (energy per bit moved: the level's
 *   energy per block ÷ bits per block), plus every level's leakage spread
 *   over the MACs done (u × peak). Traffic above the innermost level, the
 *   vector unit and the ring depend on the mapping and are left out: this is
 *   the datapath's bound, which `map` refines per layer;
 * - TOPS/mm²: peak TOPS over the modeled area of all cores (MAC units,
 *   storage, vector unit; no ring, I/O or clocking).
 */
export interface PrecisionEfficiency {
  precision: string;
  peakTops: number;
  /** TOPS delivered at the utilization. */
  tops: number;
  /** pJ per op (a MAC is 2 ops) by part. */
  pjPerOp: { mac: number; operands: number; leakage: number; total: number };
  topsPerWatt: number;
  topsPerMm2: number;
}

export function precisionEfficiency(a: Architecture, utilization: number): PrecisionEfficiency[] {
  const inner = a.levels.at(-1)!;
  const pjPerBit = inner.energy.readPj / (inner.blockSize * inner.wordBits);
  const updatePjPerBit = inner.energy.updatePj / (inner.blockSize * inner.wordBits);
  const leakPerCycle = a.levels.reduce((s, l) => s + l.energy.leakPjPerCycle * l.instances, 0);
  const coreAreaMm2 = (a.levels.reduce((s, l) => s + l.areaUm2 * l.instances, 0) + a.compute.areaUm2 * a.compute.instances + a.vector.areaUm2) / 1e6;
  return a.compute.precisions.map((p) => {
    const macsPerCycle = a.compute.instances * p.macsPerCycle;
    const peakTops = (2 * macsPerCycle * a.clockHz * a.cores.count) / 1e12;
    const mac = p.energyPerMacPj / 2;
    const operands = (2 * p.operandBits * pjPerBit + p.accumulatorBits * updatePjPerBit) / 2;
    const leakage = leakPerCycle / (2 * utilization * macsPerCycle);
    const total = mac + operands + leakage;
    return { precision: p.name, peakTops, tops: peakTops * utilization, pjPerOp: { mac, operands, leakage, total }, topsPerWatt: 1 / total, topsPerMm2: peakTops / (coreAreaMm2 * a.cores.count) };
  });
}
