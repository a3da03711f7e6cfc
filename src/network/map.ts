import { findPrecision, peakMacsPerCycle, type Architecture } from '../arch/types.js';
import { silentProgress } from '../util/progress.js';
import type { Graph } from '../workload/graph.js';
import { layerTotals, mappedLayer, networkTotals, vectorLayer } from './assemble.js';
import { layerWork, type LayerWork } from './layers.js';
import { pickNest } from './pick.js';
import { dramWordsPerCycle, planNetwork } from './plan.js';
import type { NetworkResult } from './result.js';
import { searchAll, type NetworkSearchOptions } from './searches.js';

export type { DataflowCost, LayerResult, LayerTotals, NetworkResult, ProblemResult } from './result.js';

/**
 * Maps every layer of a graph onto an architecture, in four stages:
 *   plan     — each layer's traffic, roofline and loop nests, each nest's
 *              partitions across the cores (plan.ts);
 *   search   — every distinct (per-core) loop nest searched once, on the
 *              pool's threads (searches.ts);
 *   pick     — each nest's best partition by the objective (pick.ts);
 *   assemble — layers, ops without MACs on the vector unit, totals
 *              (assemble.ts).
 * Per layer: cycles, energy, utilization, the roofline bound (the larger of
 * MACs ÷ peak and compulsory traffic ÷ DRAM bandwidth, over all cores) and
 * the ratio to it. Tensor elements are counted as one accelerator word
 * whatever the graph's dtype (the accelerator computes at its own
 * precision). A compute op's own non-MAC FLOPs (a bias add) are not costed.
 */
export interface MapOptions extends NetworkSearchOptions {
  /** Layers of the graph as exported, priced with the same searches for comparison (`uncompiled` totals). */
  baseline?: LayerWork[];
}

export async function mapGraph(graph: Graph, arch: Architecture, o: MapOptions): Promise<NetworkResult> {
  return mapWork(graph.name, graph.mode, graph.batch, layerWork(graph), arch, o);
}

export async function mapWork(model: string, mode: string, batch: number, works: LayerWork[], arch: Architecture, o: MapOptions): Promise<NetworkResult> {
  const peakMacs = peakMacsPerCycle(arch, findPrecision(arch, o.precision));
  const cores = arch.cores.count;
  const plan = planNetwork([...works, ...(o.baseline ?? [])], arch, peakMacs);
  const searched = await searchAll(plan.searches, arch, o);
  const pickOptions = { metrics: o.metrics, dataflow: o.dataflow, peakMacs };
  const layers = plan.layers.map((l) => {
    if (l.nests.length === 0) return vectorLayer(l, arch);
    const problems = l.nests.map((nest) => pickNest(nest, searched.results, arch, pickOptions));
    return mappedLayer(l, problems, arch, peakMacs);
  });
  (o.progress ?? silentProgress).done();
  const baseline = layers.splice(works.length);
  return {
    model, arch: arch.name, mode, batch, cores, dataflow: o.dataflow, objective: o.metrics.join(','), strategy: o.strategy,
    peakMacsPerCycle: peakMacs * cores,
    dramWordsPerCycle: dramWordsPerCycle(arch) * cores,
    totals: networkTotals(layers, arch, peakMacs, { distinctProblems: plan.searches.size, evaluations: searched.evaluations, validEvaluations: searched.valid, incompleteSearches: searched.incomplete }),
    layers,
    ...(o.baseline ? { uncompiled: layerTotals(baseline) } : {}),
  };
}
