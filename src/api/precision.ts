import { checkExecutable } from '../execute/execute.js';
import { seededInputs } from '../execute/inputs.js';
import { onnxParams, seededParams } from '../execute/params.js';
import { measureLayerSensitivity, type LayerSensitivity } from '../quantize/auto.js';
import type { CalibrationMethod } from '../quantize/calibrate.js';
import { parsePrecision, type Precision } from '../quantize/formats.js';
import type { Graph } from '../workload/graph.js';
import type { OnProgress } from './progress.js';

export interface SensitivityOptions {
  /** The precision every other layer runs at (default int8). */
  baseline?: Precision;
  /** The precisions each compute layer is tried at alone (default int4, int2). */
  candidates?: Precision[];
  /** An .onnx file whose stored weights to use (the graph's own model file); default: weights drawn from `seed`. */
  weightsFrom?: string;
  /** Seed of the generated input (and of the weights without `weightsFrom`); default 1. */
  seed?: number;
  /** How an activation's clip is chosen from its own values at integer precisions (default mse). */
  calibration?: CalibrationMethod;
  onProgress?: OnProgress;
}

/**
 * Each compute layer's own sensitivity to precision: its output SQNR against
 * fp32 with the whole network at `baseline`, and with only that layer at
 * each candidate (the rest still at the baseline), on the executor with a
 * generated input. Two runs of the network plus one more evaluation of each
 * layer per candidate (between layers the event loop turns, so that a
 * mapping can search meanwhile). Feed the result to {@link choosePrecisions}.
 * The graph's ops must all have executor kernels (checked before anything runs).
 */
export function measureSensitivity(graph: Graph, o: SensitivityOptions = {}): Promise<LayerSensitivity[]> {
  checkExecutable(graph);
  const seed = o.seed ?? 1;
  const baseline = parsePrecision(o.baseline ?? 'int8', 'baseline');
  const candidates = (o.candidates ?? ['int4', 'int2']).map((p) => parsePrecision(p, 'candidate'));
  const params = o.weightsFrom ? onnxParams(o.weightsFrom) : seededParams(graph, seed);
  return measureLayerSensitivity(graph, seededInputs(graph, seed), params, {
    baseline,
    candidates,
    method: o.calibration ?? 'mse',
    progress: (stage, d, n) => o.onProgress?.(`SQNR at ${stage}: node ${d}/${n}`),
  });
}
