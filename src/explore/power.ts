import type { Architecture } from '../arch/types.js';

/**
 * A design's power at a given activity, from the arch's own energy model:
 *
 *   P(a) = f · cores · [ a · ( N_mac · E_mac + Σ_ℓ n_ℓ · B_ℓ · e_ℓ ) + Σ_ℓ n_ℓ · L_ℓ ]
 *
 * with f the clock, N_mac the MAC units and E_mac the pJ per MAC of the
 * default precision; for each on-chip storage level ℓ (SRAM and register
 * files; DRAM is off chip), n_ℓ its instances, B_ℓ its words per cycle per
 * instance (read + write bandwidth, capped by the shared bandwidth), e_ℓ its
 * dearest action (read, fill or update) per word, pJ per block over the block
 * size, and L_ℓ its leakage in pJ per cycle per instance. The activity a is
 * the fraction of cycles every MAC and every storage port is busy, so a = 1
 * is the design's peak: an upper bound on what any mapping draws, leaving out
 * the on-chip network and DRAM. A level with unbounded ports makes the
 * dynamic power Infinity: see {@link unboundedLevel}.
 */
export interface PowerModel {
  /** Dynamic power, W, with every MAC and storage port busy every cycle (a = 1). */
  dynamicW: number;
  /** Leakage, W, drawn whatever the activity. */
  leakW: number;
}

export function powerModel(arch: Architecture): PowerModel {
  const mac = arch.compute.instances * arch.compute.precisions[0]!.energyPerMacPj;
  let storage = 0, leak = 0;
  for (const l of arch.levels) {
    if (l.className === 'dram') continue;
    const words = Math.min(l.readBandwidth + l.writeBandwidth, l.sharedBandwidth);
    storage += l.instances * words * (Math.max(l.energy.readPj, l.energy.fillPj, l.energy.updatePj) / l.blockSize);
    leak += l.instances * l.energy.leakPjPerCycle;
  }
  const perSecond = arch.clockHz * arch.cores.count * 1e-12;
  return { dynamicW: (mac + storage) * perSecond, leakW: leak * perSecond };
}

/** Power at activity `a` (0 < a ≤ 1), W. */
export function powerAt(m: PowerModel, activity: number): number {
  return activity * m.dynamicW + m.leakW;
}

/** The first on-chip level whose ports are unbounded (its power cannot be bounded), if any. */
export function unboundedLevel(arch: Architecture): string | undefined {
  return arch.levels.find((l) => l.className !== 'dram' && !Number.isFinite(Math.min(l.readBandwidth + l.writeBandwidth, l.sharedBandwidth)))?.name;
}
