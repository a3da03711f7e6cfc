import type { Architecture } from '../arch/types.js';
import { sumCosts } from '../mapping/cost.js';
import type { LayerWork } from './layers.js';
import { mapWork, type NetworkResult } from './map.js';
import type { NetworkSearchOptions } from './searches.js';

/**
 * A network mapped with a precision mode per layer: the layers are mapped at
 * the baseline mode (all of them: the uniform baseline), and those planned
 * at another mode are mapped again at theirs, each mode's searches with its
 * word widths, MAC rate and MAC energy. A layer's plan is found by its name,
 * or a fused group's by its anchor's (the name before the first '+'); layers
 * without MACs stay with the baseline's vector-unit costs.
 */
export interface MixedLayer {
  name: string;
  op: string;
  precision: string;
  cycles: number;
  energyPj: number;
  /** The same layer at the baseline mode. */
  baselineCycles: number;
  baselineEnergyPj: number;
}

export interface MixedResult {
  model: string;
  arch: string;
  baseline: string;
  layers: MixedLayer[];
  totals: { cycles: number; energyPj: number };
  baselineTotals: { cycles: number; energyPj: number };
  /** Compute layers per mode. */
  layersPerPrecision: Record<string, number>;
}

/** A layer's mode by its plan name (undefined: the baseline). */
export type ModeOf = (name: string) => string | undefined;

export function planName(layerName: string): string {
  return layerName.split('+')[0]!;
}

/**
 * `modeOf` may still be on its way (a measurement): the baseline is searched
 * meanwhile, and the layers at other modes once it is known, all modes at
 * once (a pool of threads each).
 */
export async function mapMixed(model: string, mode: string, batch: number, works: LayerWork[], arch: Architecture, o: NetworkSearchOptions, baseline: string, modeOf: ModeOf | Promise<ModeOf>): Promise<MixedResult> {
  const mapAt = (precision: string, layers: LayerWork[]) => mapWork({ model, mode, batch, layers }, arch, { ...o, precision });
  const basePromise = mapAt(baseline, works);
  let planned: ModeOf;
  try {
    planned = await modeOf;
  } catch (e) {
    await basePromise.catch(() => undefined);
    throw e;
  }
  const byMode = new Map<string, LayerWork[]>();
  for (const w of works) {
    const m = w.problems.length > 0 ? (planned(planName(w.name)) ?? baseline) : baseline;
    if (m !== baseline) byMode.set(m, [...(byMode.get(m) ?? []), w]);
  }
  const [base, ...others] = await Promise.all([basePromise, ...[...byMode].map(([m, ws]) => mapAt(m, ws))]);
  const remapped = new Map<number, { precision: string; layer: NetworkResult['layers'][number] }>();
  [...byMode].forEach(([m, ws], k) => others[k]!.layers.forEach((layer, i) => remapped.set(works.indexOf(ws[i]!), { precision: m, layer })));
  const counts: Record<string, number> = {};
  const layers = base!.layers.map((b, i): MixedLayer => {
    const r = remapped.get(i);
    const precision = r?.precision ?? baseline;
    if (b.kind === 'mapped') counts[precision] = (counts[precision] ?? 0) + 1;
    const l = r?.layer ?? b;
    return { name: b.name, op: b.op, precision: b.kind === 'mapped' ? precision : '-', cycles: l.cycles, energyPj: l.energyPj, baselineCycles: b.cycles, baselineEnergyPj: b.energyPj };
  });
  return {
    model, arch: arch.name, baseline, layers,
    totals: sumCosts(layers),
    baselineTotals: sumCosts(base!.layers),
    layersPerPrecision: counts,
  };
}
