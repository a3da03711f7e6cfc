import type { Architecture } from './types.js';

/**
 * Efficiency per precision mode, chip-wide (all cores):
 * - peak TOPS: 2 ops per MAC × MACs per cycle × clock × cores;
 * - TOPS/W at a utilization u: ops per joule of a compute-bound steady state
 *   at the innermost storage level, plus every level's leakage spread over
 *   the MACs done (u × peak). The access pattern assumed at peak follows the
 *   cost model's lanes (mapping/model.ts): a MAC unit of m MACs per cycle is
 *   m lanes that run m consecutive steps of one output's reduction together;
 *   each lane reads its own two operands (operand bits each), the m products
 *   are added, and the group reads and updates that one partial sum
 *   (accumulator bits) once. Per MAC: 2 operand reads + (1 read + 1 update)
 *   of a partial sum ÷ m, each at the level's energy per bit moved (energy
 *   per block ÷ bits per block, as mapping/widths.ts prices a tensor's
 *   words). Groups that share operands across outputs (output channels or
 *   pixels among the lanes) read fewer operands and more partial sums; which
 *   the mapper picks is per layer. Traffic above the innermost level, the
 *   vector unit and the ring depend on the mapping and are left out: this is
 *   the datapath's figure, which `map` refines per layer;
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
    const operands = (2 * p.operandBits * pjPerBit + (p.accumulatorBits * (pjPerBit + updatePjPerBit)) / p.macsPerCycle) / 2;
    const leakage = leakPerCycle / (2 * utilization * macsPerCycle);
    const total = mac + operands + leakage;
    return { precision: p.name, peakTops, tops: peakTops * utilization, pjPerOp: { mac, operands, leakage, total }, topsPerWatt: 1 / total, topsPerMm2: peakTops / (coreAreaMm2 * a.cores.count) };
  });
}
