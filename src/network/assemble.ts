import type { Architecture } from '../arch/types.js';
import { vectorCost } from '../arch/vector.js';
import { sumCosts } from '../mapping/cost.js';
import type { LayerPlan } from './plan.js';
import type { LayerResult, LayerTotals, NetworkResult, ProblemResult } from './result.js';

/**
 * The last stage: layers from their plans and their loop nests' picked
 * results (ops without MACs priced on the vector unit, a fused group's
 * epilogue added to its loop nests), and the totals — all as sums of costs.
 */

/** A layer without MACs, on the vector unit (its ops and traffic split over the cores). */
export function vectorLayer(plan: LayerPlan, arch: Architecture): LayerResult {
  const { work: w, read, written, roof } = plan;
  const wordBytes = arch.levels[0]!.wordBits / 8;
  const v = vectorCost(arch, { ops: w.counts.otherFlops, bytesRead: read * wordBytes, bytesWritten: written * wordBytes });
  const cycles = Math.ceil(v.cycles / arch.cores.count);
  return {
    name: w.name, op: w.op, phase: w.phase, kind: 'vector', macs: 0, otherFlops: w.counts.otherFlops, words: read + written, cycles, energyPj: v.energyPj, utilization: 0,
    ...roof, ratio: roof.boundCycles > 0 ? cycles / roof.boundCycles : 1, dataflow: null, problem: null, mapping: null, problems: [],
  };
}

/** A layer with MACs: its loop nests (each `repeat` times), then its fused epilogue if any; `peakMacs` per core. */
export function mappedLayer(plan: LayerPlan, problems: ProblemResult[], arch: Architecture, peakMacs: number): LayerResult {
  const { work: w, read, written, roof } = plan;
  const cores = arch.cores.count;
  const wordBytes = arch.levels[0]!.wordBits / 8;
  let epilogue: LayerResult['epilogue'];
  if (w.epilogue) {
    const v = vectorCost(arch, { ops: w.epilogue.ops, bytesRead: w.epilogue.bytesRead, bytesWritten: 0 });
    epilogue = { ops: w.epilogue.ops, cycles: Math.ceil(v.cycles / cores), energyPj: v.energyPj };
  }
  const nests = sumCosts(problems, (p) => p.repeat);
  const { cycles, energyPj } = epilogue ? sumCosts([nests, epilogue]) : nests;
  const epilogueWords = w.epilogue ? w.epilogue.bytesRead / wordBytes : 0;
  const first = problems[0]!;
  return {
    name: w.name, op: w.op, phase: w.phase, kind: 'mapped', macs: w.counts.macs, otherFlops: w.counts.otherFlops, words: read + written + epilogueWords, cycles, energyPj,
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

/** What the searches cost, for the totals. */
export interface SearchTally {
  distinctProblems: number;
  evaluations: number;
  validEvaluations: number;
  incompleteSearches: number;
}

/** The network's totals; `peakMacs` per core. */
export function networkTotals(layers: readonly LayerResult[], arch: Architecture, peakMacs: number, searches: SearchTally): NetworkResult['totals'] {
  const { cycles, energyPj, dramWords } = layerTotals(layers);
  const macs = layers.reduce((s, l) => s + l.macs, 0);
  return {
    cycles,
    seconds: cycles / arch.clockHz,
    energyPj,
    macs,
    utilization: cycles > 0 ? macs / (cycles * peakMacs * arch.cores.count) : 0,
    layers: layers.length,
    ...searches,
    dramWords,
  };
}
