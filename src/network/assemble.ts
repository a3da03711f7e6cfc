import type { Architecture } from '../arch/types.js';
import { vectorCost } from '../arch/vector.js';
import { sumCosts } from '../mapping/cost.js';
import { AccelmapError } from '../util/errors.js';
import type { Objective } from '../search/objective.js';
import type { DataflowChoice } from '../search/dataflows.js';
import type { Strategy } from '../search/search.js';
import type { Picked } from './pick.js';
import { dramWordsPerCycle, type LayerPlan, type NetworkPlan } from './plan.js';
import type { Searched } from './searches.js';
import type { LayerResult, LayerTotals, NetworkResult, ProblemResult } from './result.js';

/**
 * The last stage: layers from their plans and their loop nests' picked
 * results (ops without MACs priced on the vector unit, a fused group's
 * epilogue added to its loop nests), and the totals — all as sums of costs.
 */

/** A layer without MACs, on the vector unit (its ops and traffic split over the cores). */
export function vectorLayer(plan: LayerPlan, arch: Architecture): LayerResult {
  const { work: w, read, written, roof } = plan;
  const v = vectorCost(arch, { ops: w.counts.otherFlops, readWords: read, writeWords: written });
  const cycles = Math.ceil(v.cycles / arch.cores.count);
  return {
    name: w.name, op: w.op, phase: w.phase, kind: 'vector', macs: 0, otherFlops: w.counts.otherFlops, words: read + written, cycles, energyPj: v.energyPj, utilization: 0,
    ...roof, ratio: roof.boundCycles > 0 ? cycles / roof.boundCycles : 1, dataflow: null, problem: null, mapping: null, problems: [],
  };
}

/** A layer with MACs: its loop nests (each `repeat` times), then its fused epilogue if any; `peakMacs` per core. */
export function mappedLayer(plan: LayerPlan, problems: ProblemResult[], arch: Architecture, peakMacs: number): LayerResult {
  const { work: w, read, written, epilogueRead, roof } = plan;
  const cores = arch.cores.count;
  let epilogue: LayerResult['epilogue'];
  if (w.epilogue) {
    const v = vectorCost(arch, { ops: w.epilogue.ops, readWords: epilogueRead, writeWords: 0 });
    epilogue = { ops: w.epilogue.ops, cycles: Math.ceil(v.cycles / cores), energyPj: v.energyPj };
  }
  const nests = sumCosts(problems, (p) => p.repeat);
  const { cycles, energyPj } = epilogue ? sumCosts([nests, epilogue]) : nests;
  const first = problems[0]!;
  return {
    name: w.name, op: w.op, phase: w.phase, kind: 'mapped', macs: w.counts.macs, otherFlops: w.counts.otherFlops, words: read + written + epilogueRead, cycles, energyPj,
    utilization: w.counts.macs / (cycles * peakMacs * cores),
    ...roof, ratio: cycles / roof.boundCycles,
    dataflow: first.dataflow, problem: first.partition.perCoreProblem, mapping: first.mapping, problems,
    ...(epilogue ? { epilogue } : {}),
  };
}

/** Totals of a set of layers. */
export function layerTotals(layers: readonly LayerResult[]): LayerTotals {
  return { ...sumCosts(layers), dramWords: layers.reduce((s, l) => s + l.words, 0), layers: layers.length };
}

/** The network's totals; `peakMacs` per core. */
function networkTotals(layers: readonly LayerResult[], arch: Architecture, peakMacs: number, searched: Searched): NetworkResult['totals'] {
  const { cycles, energyPj, dramWords } = layerTotals(layers);
  const macs = layers.reduce((s, l) => s + l.macs, 0);
  return {
    cycles,
    seconds: cycles / arch.clockHz,
    energyPj,
    macs,
    utilization: cycles > 0 ? macs / (cycles * peakMacs * arch.cores.count) : 0,
    layers: layers.length,
    distinctProblems: Object.keys(searched.results).length,
    evaluations: searched.evaluations,
    validEvaluations: searched.valid,
    incompleteSearches: searched.incomplete,
    dramWords,
  };
}

/** How the searches were asked for, as the result states it. */
export interface AssembleOptions extends Objective {
  dataflow: DataflowChoice;
  strategy: Strategy;
}

/** Layers from the plan and its picks, with the totals (and the baseline's, as `uncompiled`). */
export function assembleNetwork(plan: NetworkPlan, picked: Picked, searched: Searched, arch: Architecture, o: AssembleOptions): NetworkResult {
  const { peakMacs } = plan;
  const assemble = (layers: readonly LayerPlan[], picks: readonly ProblemResult[][]) =>
    layers.map((l, i) => {
      const problems = picks[i];
      if (problems === undefined || problems.length !== l.nests.length) throw new AccelmapError('bad-input', `layer ${l.work.name}: ${problems?.length ?? 0} picks for its ${l.nests.length} loop nest(s)`, {}, 'pick one result per loop nest of every layer of the plan');
      return l.nests.length === 0 ? vectorLayer(l, arch) : mappedLayer(l, problems, arch, peakMacs);
    });
  const layers = assemble(plan.layers, picked.layers);
  return {
    model: plan.model, arch: arch.name, mode: plan.mode, batch: plan.batch, cores: arch.cores.count, dataflow: o.dataflow, objective: o.metrics.join(','), strategy: o.strategy,
    peakMacsPerCycle: peakMacs * arch.cores.count,
    dramWordsPerCycle: dramWordsPerCycle(arch) * arch.cores.count,
    totals: networkTotals(layers, arch, peakMacs, searched),
    layers,
    ...(plan.baseline ? { uncompiled: layerTotals(assemble(plan.baseline, picked.baseline ?? [])) } : {}),
  };
}
