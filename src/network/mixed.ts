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

export function planName(layerName: string): string {
  return layerName.split('+')[0]!;
}

export async function mapMixed(model: string, mode: string, batch: number, works: LayerWork[], arch: Architecture, o: NetworkSearchOptions, baseline: string, modeOf: (name: string) => string | undefined): Promise<MixedResult> {
  const base = await mapWork({ model, mode, batch, layers: works }, arch, { ...o, precision: baseline });
  const byMode = new Map<string, LayerWork[]>();
  for (const w of works) {
    const m = w.problems.length > 0 ? (modeOf(planName(w.name)) ?? baseline) : baseline;
    if (m !== baseline) byMode.set(m, [...(byMode.get(m) ?? []), w]);
  }
  const remapped = new Map<number, { precision: string; layer: NetworkResult['layers'][number] }>();
  for (const [m, ws] of byMode) {
    const r = await mapWork({ model, mode, batch, layers: ws }, arch, { ...o, precision: m });
    r.layers.forEach((layer, i) => remapped.set(works.indexOf(ws[i]!), { precision: m, layer }));
  }
  const counts: Record<string, number> = {};
  const layers = base.layers.map((b, i): MixedLayer => {
    const r = remapped.get(i);
    const precision = r?.precision ?? baseline;
    if (b.kind === 'mapped') counts[precision] = (counts[precision] ?? 0) + 1;
    const l = r?.layer ?? b;
    return { name: b.name, op: b.op, precision: b.kind === 'mapped' ? precision : '-', cycles: l.cycles, energyPj: l.energyPj, baselineCycles: b.cycles, baselineEnergyPj: b.energyPj };
  });
  return {
    model, arch: arch.name, baseline, layers,
    totals: sumCosts(layers),
    baselineTotals: sumCosts(base.layers),
    layersPerPrecision: counts,
  };
}
