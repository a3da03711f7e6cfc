import { precisionEfficiency, type PrecisionEfficiency } from './efficiency.js';
import type { Architecture } from './types.js';

/** What `accelmap arch` prints: peaks per precision, levels, energy table, area. */
export interface ArchSummary {
  name: string;
  description: string;
  technologyNm: number;
  clockHz: number;
  macUnits: number;
  peaks: { precision: string; macsPerCycle: number; macsPerSecond: number; opsPerSecond: number; energyPerMacPj: number; energySource: string }[];
  levels: {
    name: string;
    class: string;
    instances: number;
    fanOut: string;
    capacityWords: number | null;
    capacityBytes: number | null;
    wordBits: number;
    blockSize: number;
    readBandwidth: number | null;
    writeBandwidth: number | null;
    sharedBandwidth: number | null;
    dataSpaces: string[] | 'all';
    multipleBuffering: number;
    energyPj: { read: number; fill: number; update: number; leakPerCycle: number };
    energySource: string;
    networkEnergyPerWordPj: number;
    areaUm2: number;
    areaSource: string;
  }[];
  vector: { lanes: number; opsPerCycle: number; energyPerOpPj: number; energySource: string };
  cores: { count: number; topology: string; linkBandwidthBytesPerCycle: number | null; linkLatencyCycles: number };
  /** MAC units, storage and vector unit of one core, µm². */
  areaUm2: number;
  /** Peak MACs per byte of DRAM bandwidth (the roofline's ridge point), default precision. */
  ridgeMacsPerByte: number | null;
  /** Chip-wide efficiency per precision at `utilization`. */
  utilization: number;
  efficiency: PrecisionEfficiency[];
  sources: string[];
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);

export function summarizeArch(a: Architecture, utilization = 1): ArchSummary {
  const dram = a.levels[0]!;
  const dramBytesPerCycle = (Math.min(dram.readBandwidth, dram.sharedBandwidth) * dram.wordBits) / 8;
  const peaks = a.compute.precisions.map((p) => {
    const macsPerCycle = a.compute.instances * p.macsPerCycle;
    return { precision: p.name, macsPerCycle, macsPerSecond: macsPerCycle * a.clockHz, opsPerSecond: 2 * macsPerCycle * a.clockHz, energyPerMacPj: p.energyPerMacPj, energySource: p.energySource };
  });
  const levels = a.levels.map((l) => ({
    name: l.name,
    class: l.className,
    instances: l.instances,
    fanOut: `${l.fanOut.meshX}×${l.fanOut.meshY}`,
    capacityWords: finite(l.capacityWords),
    capacityBytes: finite((l.capacityWords * l.wordBits) / 8),
    wordBits: l.wordBits,
    blockSize: l.blockSize,
    readBandwidth: finite(l.readBandwidth),
    writeBandwidth: finite(l.writeBandwidth),
    sharedBandwidth: finite(l.sharedBandwidth),
    dataSpaces: l.dataSpaces ?? ('all' as const),
    multipleBuffering: l.multipleBuffering,
    energyPj: { read: l.energy.readPj, fill: l.energy.fillPj, update: l.energy.updatePj, leakPerCycle: l.energy.leakPjPerCycle },
    energySource: l.energySource,
    networkEnergyPerWordPj: l.fanOut.energyPerWordPj,
    areaUm2: l.areaUm2,
    areaSource: l.areaSource,
  }));
  const area = a.levels.reduce((s, l) => s + l.areaUm2 * l.instances, 0) + a.compute.areaUm2 * a.compute.instances + a.vector.areaUm2;
  return {
    name: a.name,
    description: a.description,
    technologyNm: a.technologyNm,
    clockHz: a.clockHz,
    macUnits: a.compute.instances,
    peaks,
    levels,
    vector: { lanes: a.vector.lanes, opsPerCycle: a.vector.lanes * a.vector.opsPerCyclePerLane, energyPerOpPj: a.vector.energyPerOpPj, energySource: a.vector.energySource },
    cores: { count: a.cores.count, topology: a.cores.topology, linkBandwidthBytesPerCycle: finite(a.cores.linkBandwidthBytesPerCycle), linkLatencyCycles: a.cores.linkLatencyCycles },
    areaUm2: area,
    ridgeMacsPerByte: Number.isFinite(dramBytesPerCycle) ? peaks[0]!.macsPerCycle / dramBytesPerCycle : null,
    utilization,
    efficiency: precisionEfficiency(a, utilization),
    sources: a.sources,
  };
}
