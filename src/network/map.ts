import type { Architecture } from '../arch/types.js';
import { silentProgress } from '../util/progress.js';
import type { Graph } from '../workload/graph.js';
import { assembleNetwork } from './assemble.js';
import { layerWork } from './layers.js';
import { pickAll } from './pick.js';
import { planNetwork, type WorkList } from './plan.js';
import type { NetworkResult } from './result.js';
import { searchAll, type NetworkSearchOptions } from './searches.js';

export type { DataflowCost, LayerResult, LayerTotals, NetworkResult, ProblemResult } from './result.js';

/**
 * Maps every layer of a graph onto an architecture, in four stages, each
 * taking and giving plain data (the library exports each of them):
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
 * precision); under a named precision mode, as its operand bits, in the
 * roofline and in the vector unit's traffic alike (plan.ts). A compute op's
 * own non-MAC FLOPs (a bias add) are not costed.
 */
export async function mapGraph(graph: Graph, arch: Architecture, o: NetworkSearchOptions, baseline?: Graph): Promise<NetworkResult> {
  return mapWork({ model: graph.name, mode: graph.mode, batch: graph.batch, layers: layerWork(graph), ...(baseline ? { baseline: layerWork(baseline) } : {}) }, arch, o);
}

export async function mapWork(works: WorkList, arch: Architecture, o: NetworkSearchOptions): Promise<NetworkResult> {
  const plan = planNetwork(works, arch, o.precision);
  const searched = await searchAll(plan.searches, arch, o);
  const picked = pickAll(plan, searched, arch, o);
  (o.progress ?? silentProgress).done();
  return assembleNetwork(plan, picked, searched, arch, o);
}
