import { archFromSource } from '../../src/arch/load.js';
import { peakMacsPerCycle, type Architecture } from '../../src/arch/types.js';
import { vectorCost } from '../../src/arch/vector.js';
import { analyticalEquivalent } from '../../src/interop/scalesim/analytical.js';
import { parseScaleSimConfig, toArraySpec } from '../../src/interop/scalesim/config.js';
import { parseTopology } from '../../src/interop/scalesim/topology.js';
import { timeloopDocs, timeloopInputs } from '../../src/interop/timeloop/load.js';
import { parseTimeloopYaml } from '../../src/interop/timeloop/source.js';
import { timeloopStats } from '../../src/interop/timeloop/stats.js';
import { costOf, type Cost } from '../../src/mapping/cost.js';
import { parseLayerSpec } from '../../src/problem/parse.js';
import { problemMacs, type Problem } from '../../src/problem/types.js';
import { unconstrained } from '../../src/search/constraints.js';
import { parseObjective } from '../../src/search/objective.js';
import { searchProblem } from '../../src/search/search.js';
import { parseSource } from '../../src/util/source-file.js';
import { nodeCounts } from '../../src/workload/counts.js';
import { importModel } from '../../src/workload/onnx/import.js';
import { readModelBytes } from '../../src/workload/onnx/proto.js';
import type { SeedFile, Target } from './corpus.js';
import { decodeText } from './mutate.js';

/**
 * Each reader run on one case as the CLI runs it, and what a result it
 * accepts must satisfy. The properties come from physics, not from the code
 * under test: tensors have whole dimensions and MACs produce at least one
 * element; MACs, FLOPs and bytes are finite and not negative; an
 * architecture has a
 * positive clock, at least a word at every level and positive bandwidths;
 * a layer takes at least its MACs over the peak MACs per cycle (the compute
 * bound), a finite number of cycles, and a finite, positive energy.
 * A run returns the properties it broke (empty when none); a refusal is an
 * exception, which the caller classifies.
 */
export type Violations = string[];

function check(out: Violations, ok: boolean, what: string): void {
  if (!ok && out.length < 8) out.push(what);
}

const finiteNonNegative = (v: number) => Number.isFinite(v) && v >= 0;

function checkCost(out: Violations, cost: Cost, problem: Problem, arch: Architecture, what: string): void {
  const macs = problemMacs(problem);
  const precision = arch.compute.precisions.find((p) => p.name === cost.precision) ?? arch.compute.precisions[0]!;
  const bound = macs / peakMacsPerCycle(arch, precision);
  check(out, Number.isFinite(cost.cycles), `${what}: cycles ${cost.cycles} are not finite`);
  check(out, cost.cycles >= bound * (1 - 1e-9), `${what}: ${cost.cycles} cycles, below the compute bound ${bound} (${macs} MACs over ${peakMacsPerCycle(arch, precision)} per cycle)`);
  check(out, Number.isFinite(cost.energyPj) && (macs === 0 || cost.energyPj > 0), `${what}: energy ${cost.energyPj} pJ is not finite and positive`);
  check(out, Number.isFinite(cost.seconds) && cost.seconds >= 0, `${what}: ${cost.seconds} s`);
}

function runOnnx(f: SeedFile): Violations {
  const out: Violations = [];
  const graph = importModel(readModelBytes(f.data, f.name), f.name);
  for (const t of Object.values(graph.tensors)) check(out, t.shape.every((d) => Number.isSafeInteger(d) && d >= 0), `tensor ${t.name}: shape [${t.shape}] has a dimension that is not a whole number`);
  for (const n of graph.nodes) {
    const c = nodeCounts(graph, n);
    for (const k of ['macs', 'flops', 'bytesRead', 'bytesWritten'] as const) check(out, finiteNonNegative(c[k]), `node ${n.name} (${n.op}): ${k} = ${c[k]}`);
    // MACs produce something: ONNX allows empty tensors (a Shape slice past its end), not an empty result of arithmetic
    const outputs = n.outputs.filter((o) => o !== '').map((o) => graph.tensors[o]!);
    if (c.macs > 0) check(out, outputs.some((t) => t.shape.every((d) => d >= 1)), `node ${n.name} (${n.op}): ${c.macs} MACs into outputs of shapes ${outputs.map((t) => `[${t.shape}]`).join(', ')}`);
  }
  return out;
}

/** A small convolution mapped by a short random search: what `map` does, in miniature. */
const LAYER = 'conv:N=1,K=16,C=8,P=8,Q=8,R=3,S=3';

function runArch(f: SeedFile): Violations {
  const out: Violations = [];
  const arch = archFromSource(parseSource(decodeText(f.data), f.name, 'bad-spec'));
  check(out, Number.isFinite(arch.clockHz) && arch.clockHz > 0, `clock ${arch.clockHz} Hz`);
  for (const l of arch.levels) {
    check(out, l.capacityWords >= 1 && (Number.isFinite(l.capacityWords) || l.className === 'dram'), `level ${l.name}: ${l.capacityWords} words`);
    check(out, Number.isSafeInteger(l.instances) && l.instances >= 1, `level ${l.name}: ${l.instances} instances`);
    for (const bw of [l.readBandwidth, l.writeBandwidth, l.sharedBandwidth]) check(out, bw > 0, `level ${l.name}: bandwidth ${bw} words per cycle`);
    for (const e of Object.values(l.energy)) check(out, finiteNonNegative(e), `level ${l.name}: energy ${e} pJ`);
  }
  for (const p of arch.compute.precisions) {
    check(out, Number.isFinite(peakMacsPerCycle(arch, p)) && peakMacsPerCycle(arch, p) > 0, `precision ${p.name}: ${peakMacsPerCycle(arch, p)} MACs per cycle`);
    check(out, Number.isFinite(p.energyPerMacPj) && p.energyPerMacPj > 0, `precision ${p.name}: ${p.energyPerMacPj} pJ per MAC`);
  }
  const v = vectorCost(arch, { ops: 1000, readWords: 1000, writeWords: 1000 });
  check(out, Number.isFinite(v.cycles) && v.cycles > 0 && Number.isFinite(v.energyPj) && v.energyPj > 0, `vector unit: ${v.cycles} cycles, ${v.energyPj} pJ for 1000 operations`);
  const problem = parseLayerSpec(LAYER);
  const found = searchProblem(problem, arch, unconstrained(problem, arch), { strategy: 'random', objective: parseObjective('edp'), budget: { evaluations: 60 }, seed: 1 });
  if (found.mapping) checkCost(out, costOf(problem, arch, found.mapping), problem, arch, LAYER);
  return out;
}

function runTimeloop(files: SeedFile[]): Violations {
  const out: Violations = [];
  const inputs = timeloopInputs(timeloopDocs(files.map((f) => parseTimeloopYaml(decodeText(f.data), f.name))));
  const { problem } = inputs;
  check(out, problem.bounds.every((b) => Number.isSafeInteger(b) && b >= 1), `problem bounds [${problem.bounds}]`);
  const stats = timeloopStats(problem, inputs.arch, inputs.mapping);
  checkCost(out, stats.cost, problem, inputs.arch.arch, 'timeloop model');
  return out;
}

function runScaleSim(files: SeedFile[], gemm: boolean): Violations {
  const out: Violations = [];
  const cfg = files.find((f) => f.role === 'config')!;
  const topo = files.find((f) => f.role === 'topology')!;
  const spec = toArraySpec(parseScaleSimConfig(decodeText(cfg.data), cfg.name).config);
  const layers = parseTopology(decodeText(topo.data), topo.name, gemm ? 'gemm' : 'conv');
  check(out, layers.length >= 1, 'no layers');
  for (const [k, layer] of layers.slice(0, 2).entries()) {
    for (const [key, value] of Object.entries(layer)) if (typeof value === 'number') check(out, Number.isSafeInteger(value) && value >= 1, `layer ${k}: ${key} = ${value}`);
    const eq = analyticalEquivalent(spec, layer);
    checkCost(out, costOf(eq.problem, eq.arch, eq.mapping), eq.problem, eq.arch, `layer ${k} on the array`);
  }
  return out;
}

export function runTarget(target: Target, files: SeedFile[], gemm = false): Violations {
  switch (target) {
    case 'onnx':
      return runOnnx(files[0]!);
    case 'arch':
      return runArch(files[0]!);
    case 'timeloop':
      return runTimeloop(files);
    case 'scalesim':
      return runScaleSim(files, gemm);
  }
}
