import { seededInputs } from '../execute/inputs.js';
import { execute, type Feeds } from '../execute/execute.js';
import { onnxParams, seededParams } from '../execute/params.js';
import { agreement, type OutputAgreement } from '../quantize/measure.js';
import type { CalibrationMethod } from '../quantize/calibrate.js';
import { compileVta, runReference, runVta, timeLayers, totals, type LayerFigures, type VtaCompiled, type VtaModelRun } from '../targets/vta/compile.js';
import type { QGraph } from '../quantize/integer/graph.js';
import { quantizeGraph } from '../targets/vta/qgraph.js';
import { loadVtaTarget } from '../targets/vta/spec.js';
import { TuningLog, tuneLayer, type TuneStrategy, type TuningRecord } from '../targets/vta/tune.js';
import type { Graph } from '../workload/graph.js';
import type { OnProgress } from './progress.js';

export interface VtaQuantizeOptions {
  /** An .onnx file whose stored weights to use (the graph's own model file); default: weights drawn from `seed`. */
  weightsFrom?: string;
  /** Calibration: this many input sets drawn from seeds seed+1 … (default 2), clipped by `calibration` (default max). */
  calibrate?: number;
  calibration?: CalibrationMethod;
  seed?: number;
  onProgress?: OnProgress;
}

/** The int8 graph VTA runs: the integer graph (quantize/integer) under VTA's profile, power-of-two scales calibrated on seeded inputs. */
export function quantizeForVta(graph: Graph, o: VtaQuantizeOptions = {}): QGraph {
  const seed = o.seed ?? 1;
  const params = o.weightsFrom ? onnxParams(o.weightsFrom) : seededParams(graph, seed);
  const calibration = Array.from({ length: o.calibrate ?? 2 }, (_, k) => seededInputs(graph, seed + 1 + k));
  return quantizeGraph(graph, params, { calibration, method: o.calibration ?? 'max', progress: (d, n) => o.onProgress?.(`calibration: node ${d}/${n}`) });
}

export interface VtaCompileOptions extends VtaQuantizeOptions {
  /** Target preset or spec file (default `vta`), with `KEY=VALUE` overrides. */
  target?: string;
  set?: readonly string[];
  /** Schedules tried per layer by the tuner (0: none). */
  tune?: number;
  /** How the tuner searches each layer's space (default nsga2). */
  tuneStrategy?: TuneStrategy;
  /** A tuning log read before compiling; tuning adds to it. */
  log?: TuningLog;
  /** The graph already quantized by quantizeForVta (it does not depend on the target): skips calibration. */
  qgraph?: QGraph;
}

export interface VtaCompileResult {
  compiled: VtaCompiled;
  /** Per VTA layer, from the timing half, under the schedules compiled (tuned where the log has the layer). */
  layers: LayerFigures[];
  totals: ReturnType<typeof totals>;
  /** With tuning or a log: the same layers under the default schedules, for comparison. */
  untuned?: { layers: LayerFigures[]; totals: ReturnType<typeof totals> };
  /** Records the tuner added to the log in this call. */
  tuned: TuningRecord[];
}

/**
 * Compiles an inference graph for a VTA target: quantized to int8 (calibrated
 * power-of-two scales), lowered layer by layer to VTA programs with tiling
 * and virtual threads, optionally autotuned; every layer checked and timed.
 */
export async function compileForVta(graph: Graph, o: VtaCompileOptions = {}): Promise<VtaCompileResult> {
  const t = loadVtaTarget(o.target ?? 'vta', o.set ?? []);
  const seed = o.seed ?? 1;
  const q = o.qgraph ?? quantizeForVta(graph, o);
  const log = o.log ?? new TuningLog();
  const tuned: TuningRecord[] = [];
  if (o.tune) {
    const vtaLayers = compileVta(t, q).layers;
    for (const [i, cl] of vtaLayers.entries()) {
      tuned.push(...(await tuneLayer(t, cl.layer, cl.elements, log, o.tune, seed, o.tuneStrategy)));
      o.onProgress?.(`tuned ${i + 1}/${vtaLayers.length} layers`);
    }
  }
  const compiled = compileVta(t, q, log);
  const layers = timeLayers(compiled);
  const withLog = o.tune || o.log;
  const untunedLayers = withLog ? timeLayers(compileVta(t, q)) : undefined;
  return { compiled, layers, totals: totals(t, layers), untuned: untunedLayers && { layers: untunedLayers, totals: totals(t, untunedLayers) }, tuned };
}

/**
 * Runs a compiled model on the simulator and, for comparison, on the integer
 * reference (`bitExact`: every tensor matched) and in fp32 (`fp32`: how the
 * dequantized outputs agree with the unquantized model's). Inputs: `feeds`
 * (typed arrays by input name), or values drawn from seed 1.
 */
export function runOnVta(compiled: VtaCompiled, feeds: Feeds = seededInputs(compiled.qgraph.graph, 1), onProgress?: OnProgress): { run: VtaModelRun; reference: ReturnType<typeof runReference>; bitExact: boolean; firstMismatch?: string; fp32: OutputAgreement[] } {
  const run = runVta(compiled, feeds, (d, n) => onProgress?.(`VTA: layer ${d}/${n}`));
  const reference = runReference(compiled.qgraph, feeds, (d, n) => onProgress?.(`integer reference: layer ${d}/${n}`));
  let firstMismatch: string | undefined;
  for (const [name, codes] of reference.codes) {
    const got = run.codes.get(name);
    if (!got || got.length !== codes.length || got.some((v, i) => v !== codes[i])) {
      firstMismatch = name;
      break;
    }
  }
  const q = compiled.qgraph;
  const fp32 = execute(q.graph, feeds, q.params, { progress: (d, n) => onProgress?.(`fp32: node ${d}/${n}`) });
  return { run, reference, bitExact: firstMismatch === undefined, firstMismatch, fp32: q.graph.outputs.map((name) => agreement(name, fp32[name]!, run.outputs[name]!)) };
}
