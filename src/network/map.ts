import { findPrecision, peakMacsPerCycle, type Architecture } from '../arch/types.js';
import { vectorCost } from '../arch/vector.js';
import { costOf } from '../mapping/cost.js';
import { mappingToDirectives, type Directive } from '../mapping/directives.js';
import type { Convention } from '../mapping/model.js';
import { dataSpaceFootprint, problemKey, problemMacs, type Problem } from '../problem/types.js';
import type { UserConstraints } from '../search/constraints-file.js';
import type { DataflowChoice } from '../search/dataflows.js';
import { noValidMapping, toArrays, type JobResult, type SearchJob } from '../search/job.js';
import { searchNest } from '../search/nest.js';
import { compare, type Metric } from '../search/objective.js';
import { SearchPool } from '../search/pool.js';
import type { Budget, Strategy } from '../search/search.js';
import { silentProgress, type Progress } from '../util/progress.js';
import type { Graph } from '../workload/graph.js';
import { partitions, type Partition } from './cores.js';
import { layerWork, type LayerWork } from './layers.js';

/**
 * Maps every layer of a graph onto an architecture: each distinct loop nest
 * (and, with several cores, each way of splitting it) is searched once; ops
 * without MACs get the vector unit's cost. Per layer: cycles, energy,
 * utilization, the roofline bound (the larger of MACs ÷ peak and compulsory
 * traffic ÷ DRAM bandwidth, over all cores) and the ratio to it. Tensor
 * elements are counted as one accelerator word whatever the graph's dtype
 * (the accelerator computes at its own precision). A compute op's own
 * non-MAC FLOPs (a bias add) are not costed.
 */
export interface MapOptions {
  dataflow: DataflowChoice;
  metrics: Metric[];
  strategy: Strategy;
  /** Per distinct loop nest (and per dataflow for `all`). */
  budget: Budget;
  seed: number;
  threads: number;
  precision?: string;
  /** The cost model's counting convention (ModelOptions.convention). */
  convention?: Convention;
  constraints?: UserConstraints;
  progress?: Progress;
  /** Layers of the graph as exported, priced with the same searches for comparison (`uncompiled` totals). */
  baseline?: LayerWork[];
}

export interface DataflowCost {
  dataflow: string;
  cycles: number;
  energyPj: number;
}

export interface ProblemResult {
  kind: string;
  problem: Problem;
  repeat: number;
  dataflow: string;
  /** Timeloop directives for the (per-core) problem; feed to `accelmap model`. */
  mapping: Directive[] | null;
  cycles: number;
  energyPj: number;
  utilization: number;
  evaluated: number;
  partition: { kind: Partition['kind']; dim?: string; cores: number; transferCycles: number; transferEnergyPj: number; perCoreProblem: Problem };
  /** Energy per storage level (with its fan-out network), the MACs, leakage and the interconnect, all cores. */
  energyByLevelPj: Record<string, number>;
  /** `--dataflow all`: every dataflow's best for this problem. */
  comparison?: DataflowCost[];
}

export interface LayerResult {
  name: string;
  op: string;
  phase: string;
  kind: 'mapped' | 'vector';
  macs: number;
  otherFlops: number;
  /** Elements read and written (compulsory traffic, one word each). */
  words: number;
  cycles: number;
  energyPj: number;
  utilization: number;
  boundCycles: number;
  bound: 'compute' | 'memory';
  /** cycles ÷ bound (1 = at the roofline). */
  ratio: number;
  dataflow: string | null;
  /** The loop nest `mapping` maps (per core when the layer is split): with `mapping`, input for `accelmap model`. */
  problem: Problem | null;
  mapping: Directive[] | null;
  problems: ProblemResult[];
  /** A fused group's epilogue on the vector unit (included in cycles and energy): run after the loop nest, reading only what the anchor does not. */
  epilogue?: { ops: number; cycles: number; energyPj: number };
}

/** Totals of a set of layers. */
export interface LayerTotals {
  cycles: number;
  energyPj: number;
  /** Compulsory DRAM traffic: every layer's tensors once, in words. */
  dramWords: number;
  layers: number;
}

export function layerTotals(layers: readonly LayerResult[]): LayerTotals {
  return {
    cycles: layers.reduce((s, l) => s + l.cycles, 0),
    energyPj: layers.reduce((s, l) => s + l.energyPj, 0),
    dramWords: layers.reduce((s, l) => s + l.words, 0),
    layers: layers.length,
  };
}

export interface NetworkResult {
  model: string;
  arch: string;
  mode: string;
  batch: number;
  cores: number;
  dataflow: DataflowChoice;
  objective: string;
  strategy: Strategy;
  /** The roofline's roofs, over all cores. */
  peakMacsPerCycle: number;
  dramWordsPerCycle: number;
  totals: {
    cycles: number;
    seconds: number;
    energyPj: number;
    macs: number;
    utilization: number;
    layers: number;
    distinctProblems: number;
    evaluations: number;
    validEvaluations: number;
    /** Exhaustive searches stopped by the budget before visiting every point. */
    incompleteSearches: number;
    dramWords: number;
  };
  layers: LayerResult[];
  /** The graph as exported, mapped with the same searches (`baseline`), when the layers are a compiled graph's. */
  uncompiled?: LayerTotals;
}

/** DRAM words per cycle (one element of a tensor is one word). */
export function dramWordsPerCycle(arch: Architecture): number {
  const dram = arch.levels[0]!;
  return Math.min(dram.readBandwidth, dram.sharedBandwidth);
}

/**
 * Elements an op must move: for a compute op, the distinct elements of its
 * loop nests' tensors; otherwise its byte counts over its element size.
 */
function elements(work: LayerWork): { read: number; written: number } {
  if (work.problems.length > 0) {
    let read = 0, written = 0;
    for (const { problem, repeat } of work.problems) {
      for (const ds of problem.dataSpaces) {
        const n = dataSpaceFootprint(problem, ds) * repeat;
        if (ds.readWrite) written += n;
        else read += n;
      }
    }
    return { read, written };
  }
  const b = work.elementBits / 8;
  return { read: work.counts.bytesRead / b, written: work.counts.bytesWritten / b };
}

function roofline(arch: Architecture, peakMacs: number, work: LayerWork, cores: number) {
  const e = elements(work);
  const memory = (e.read + e.written) / (dramWordsPerCycle(arch) * cores);
  const compute = work.problems.length > 0 ? work.counts.macs / (peakMacs * cores) : work.counts.otherFlops / (arch.vector.lanes * arch.vector.opsPerCyclePerLane * cores);
  return compute >= memory ? { boundCycles: compute, bound: 'compute' as const } : { boundCycles: memory, bound: 'memory' as const };
}

export async function mapGraph(graph: Graph, arch: Architecture, o: MapOptions): Promise<NetworkResult> {
  return mapWork(graph.name, graph.mode, graph.batch, layerWork(graph), arch, o);
}

export async function mapWork(model: string, mode: string, batch: number, works: LayerWork[], arch: Architecture, o: MapOptions): Promise<NetworkResult> {
  const progress = o.progress ?? silentProgress;
  const precision = findPrecision(arch, o.precision);
  const peakMacs = peakMacsPerCycle(arch, precision);
  const cores = arch.cores.count;
  const objective = { metrics: o.metrics };
  const pool = new SearchPool(o.threads);
  const jobs = new Map<string, Promise<JobResult>>();
  let done = 0, evaluations = 0, valid = 0, incomplete = 0;
  const submit = (problem: Problem): Promise<JobResult> => {
    const key = problemKey(problem);
    let p = jobs.get(key);
    if (!p) {
      const job: SearchJob = { problem, arch, dataflow: o.dataflow, metrics: o.metrics, strategy: o.strategy, budget: o.budget, seed: o.seed, precision: o.precision, convention: o.convention, constraints: o.constraints?.entries };
      p = searchNest(job, key, (task, urgent) => pool.run(task, urgent)).then((r) => {
        done++;
        for (const x of r.byDataflow) {
          evaluations += x.evaluated;
          valid += x.valid;
          if (o.strategy === 'exhaustive' && !x.complete) incomplete++;
        }
        progress.update(`searched ${done}/${jobs.size} distinct loop nests: ${evaluations.toLocaleString('en-US')} mappings evaluated, ${valid.toLocaleString('en-US')} valid`);
        return r;
      });
      jobs.set(key, p);
    }
    return p;
  };

  try {
    // Submit every distinct (per-core) problem first so that the pool runs them in parallel.
    const compiledCount = works.length;
    works = [...works, ...(o.baseline ?? [])];
    const planned = works.map((w) => w.problems.map((lp) => partitions(lp.problem, arch.cores).map((part) => ({ part, result: submit(part.problem) }))));
    const layers: LayerResult[] = [];
    for (let i = 0; i < works.length; i++) {
      const w = works[i]!;
      const e = elements(w);
      const words = e.read + e.written;
      const roof = roofline(arch, peakMacs, w, cores);
      if (w.problems.length === 0) {
        const wordBytes = arch.levels[0]!.wordBits / 8;
        const v = vectorCost(arch, { ops: w.counts.otherFlops, bytesRead: e.read * wordBytes, bytesWritten: e.written * wordBytes });
        const cycles = Math.ceil(v.cycles / cores);
        layers.push({
          name: w.name, op: w.op, phase: w.phase, kind: 'vector', macs: 0, otherFlops: w.counts.otherFlops, words, cycles, energyPj: v.energyPj, utilization: 0,
          ...roof, ratio: roof.boundCycles > 0 ? cycles / roof.boundCycles : 1, dataflow: null, problem: null, mapping: null, problems: [],
        });
        continue;
      }
      const problems: ProblemResult[] = [];
      for (let k = 0; k < w.problems.length; k++) {
        const lp = w.problems[k]!;
        let best: { part: Partition; r: JobResult; cycles: number; energy: number } | null = null;
        for (const { part, result } of planned[i]![k]!) {
          const r = await result;
          if (!r.best.mapping) continue;
          const n = part.kind === 'single' ? 1 : cores;
          const cycles = r.best.cycles + part.transferCycles;
          const energy = r.best.energyPj * n + part.transferEnergyPj;
          if (!best || compare(objective, cycles, energy, best.cycles, best.energy) < 0) best = { part, r, cycles, energy };
        }
        if (!best) throw noValidMapping(lp.problem, arch.name, await planned[i]![k]![0]!.result, planned[i]![k]!.length > 1 ? 'any core partition' : undefined);
        const { part, r } = best;
        const n = part.kind === 'single' ? 1 : cores;
        const arrays = toArrays(part.problem, arch, r.best.mapping!);
        const cost = costOf(part.problem, arch, arrays, { precision: o.precision, convention: o.convention });
        const energyByLevelPj: Record<string, number> = {};
        for (const lv of cost.levels) energyByLevelPj[lv.level] = (lv.energyPj + lv.networkEnergyPj) * n;
        energyByLevelPj[arch.compute.name] = cost.macEnergyPj * n;
        if (cost.leakEnergyPj) energyByLevelPj.leakage = cost.leakEnergyPj * n;
        if (part.transferEnergyPj) energyByLevelPj.interconnect = part.transferEnergyPj;
        problems.push({
          kind: lp.problem.kind,
          problem: lp.problem,
          repeat: lp.repeat,
          dataflow: r.best.dataflow,
          mapping: mappingToDirectives(part.problem, arch, arrays),
          cycles: best.cycles,
          energyPj: best.energy,
          utilization: problemMacs(lp.problem) / (best.cycles * peakMacs * cores),
          evaluated: r.byDataflow.reduce((s, x) => s + x.evaluated, 0),
          partition: { kind: part.kind, dim: part.dim, cores: n, transferCycles: part.transferCycles, transferEnergyPj: part.transferEnergyPj, perCoreProblem: part.problem },
          energyByLevelPj,
          ...(o.dataflow === 'all' ? { comparison: r.byDataflow.filter((x) => x.mapping).map((x) => ({ dataflow: x.dataflow, cycles: x.cycles + part.transferCycles, energyPj: x.energyPj * n + part.transferEnergyPj })) } : {}),
        });
      }
      let cycles = problems.reduce((s, p) => s + p.cycles * p.repeat, 0);
      let energyPj = problems.reduce((s, p) => s + p.energyPj * p.repeat, 0);
      let epilogue: LayerResult['epilogue'];
      let epilogueWords = 0;
      if (w.epilogue) {
        const v = vectorCost(arch, { ops: w.epilogue.ops, bytesRead: w.epilogue.bytesRead, bytesWritten: 0 });
        epilogue = { ops: w.epilogue.ops, cycles: Math.ceil(v.cycles / cores), energyPj: v.energyPj };
        epilogueWords = w.epilogue.bytesRead / (arch.levels[0]!.wordBits / 8);
        cycles += epilogue.cycles;
        energyPj += epilogue.energyPj;
      }
      layers.push({
        name: w.name, op: w.op, phase: w.phase, kind: 'mapped', macs: w.counts.macs, otherFlops: w.counts.otherFlops, words: words + epilogueWords, cycles, energyPj,
        utilization: w.counts.macs / (cycles * peakMacs * cores),
        ...roof, ratio: cycles / roof.boundCycles,
        dataflow: problems[0]!.dataflow, problem: problems[0]!.partition.perCoreProblem, mapping: problems[0]!.mapping, problems,
        ...(epilogue ? { epilogue } : {}),
      });
    }
    progress.done();
    const baseline = layers.splice(compiledCount);
    const cycles = layers.reduce((s, l) => s + l.cycles, 0);
    const macs = layers.reduce((s, l) => s + l.macs, 0);
    return {
      model, arch: arch.name, mode, batch, cores, dataflow: o.dataflow, objective: o.metrics.join(','), strategy: o.strategy,
      peakMacsPerCycle: peakMacs * cores,
      dramWordsPerCycle: dramWordsPerCycle(arch) * cores,
      totals: {
        cycles,
        seconds: cycles / arch.clockHz,
        energyPj: layers.reduce((s, l) => s + l.energyPj, 0),
        macs,
        utilization: cycles > 0 ? macs / (cycles * peakMacs * cores) : 0,
        layers: layers.length,
        distinctProblems: jobs.size,
        evaluations,
        validEvaluations: valid,
        incompleteSearches: incomplete,
        dramWords: layers.reduce((s, l) => s + l.words, 0),
      },
      layers,
      ...(o.baseline ? { uncompiled: layerTotals(baseline) } : {}),
    };
  } finally {
    await pool.close();
  }
}
