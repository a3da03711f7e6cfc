import { readScaleSimConfig as readConfig, toArraySpec, type ConfigNote, type ScaleSimConfig } from '../interop/scalesim/config.js';
import { replayLayer, type ScaleSimLayer } from '../interop/scalesim/replay.js';
import { readTopology } from '../interop/scalesim/topology.js';
import type { ErtMode } from '../interop/timeloop/ert.js';
import { loadTimeloop } from '../interop/timeloop/load.js';
import { mappingToDirectives, type Directive } from '../mapping/directives.js';
import type { Convention, ModelOptions } from '../mapping/model.js';
import { renderNotes } from '../interop/timeloop/source.js';
import { timeloopStats as statsOf, type TimeloopStats } from '../interop/timeloop/stats.js';
import type { Architecture } from '../arch/types.js';
import type { Problem } from '../problem/types.js';
import { networkTotals, simulateLayer, type NetworkTotals } from '../sim/systolic/simulate.js';
import type { LayerResult, SystolicArraySpec, SystolicLayer } from '../sim/systolic/types.js';
import { isAccelmapError } from '../util/errors.js';
import { progressTo, type OnProgress } from './progress.js';

export interface ScaleSimInputs {
  config: ScaleSimConfig;
  /** The array the configuration describes, as `simulateSystolic` takes it. */
  array: SystolicArraySpec;
  layers: SystolicLayer[];
  /** Keys of the configuration that were not used (unknown, or not modeled), one line each. */
  notes: string[];
}

/** Reads a SCALE-Sim configuration (`.cfg`) and topology CSV (convolution form, or GEMM form with `gemm`). */
export function readScaleSim(configFile: string, topologyFile: string, options: { gemm?: boolean } = {}): ScaleSimInputs {
  const { config, notes } = readConfig(configFile);
  return { config, array: toArraySpec(config), layers: readTopology(topologyFile, options.gemm ? 'gemm' : 'conv'), notes: notes.map(noteLine) };
}

function noteLine(n: ConfigNote): string {
  return `${n.file}:${n.line} ${n.key}: ${n.message}`;
}

export interface SystolicOptions {
  onProgress?: OnProgress;
  /** Called with each layer's result as soon as it is simulated (e.g. to write reports as they come). */
  onLayer?: (index: number, result: LayerResult) => void;
}

export interface SystolicResult {
  array: SystolicArraySpec;
  layers: LayerResult[];
  totals: NetworkTotals;
}

/** Runs layers one after another on a systolic array, cycle by cycle (SCALE-Sim's model): cycles, stalls, SRAM and DRAM traffic. */
export function simulateSystolic(array: SystolicArraySpec, layers: readonly SystolicLayer[], options: SystolicOptions = {}): SystolicResult {
  const results = layerByLayer(layers, options, (layer, onFold) => simulateLayer(array, layer, { onFold }));
  return { array, layers: results, totals: networkTotals(array, results) };
}

/** Runs `run` on each layer in turn, reporting its folds as progress and each result as it comes. */
function layerByLayer<R>(
  layers: readonly SystolicLayer[],
  options: { onProgress?: OnProgress; onLayer?: (index: number, result: R) => void },
  run: (layer: SystolicLayer, onFold: (done: number, total: number) => void) => R,
): R[] {
  const progress = progressTo(options.onProgress);
  const results = layers.map((layer, i) => {
    const label = `layer ${i + 1}/${layers.length} ${layer.name}`;
    const result = run(layer, (done, total) => progress.update(`${label}: fold ${done}/${total}`));
    options.onLayer?.(i, result);
    return result;
  });
  progress.done();
  return results;
}

export interface ScaleSimReplayOptions {
  onProgress?: OnProgress;
  /** Called with each layer's figures as soon as they are replayed. */
  onLayer?: (index: number, result: ScaleSimLayer) => void;
}

export interface ScaleSimReplayResult {
  layers: ScaleSimLayer[];
  totals: { totalCycles: number; stallCycles: number; macs: number };
}

/**
 * SCALE-Sim v2's own figures for a configuration and layers (its demand
 * matrices, buffer model and report conventions), as its COMPUTE, BANDWIDTH
 * and DETAILED_ACCESS reports give them.
 */
export function replayScaleSim(config: ScaleSimConfig, layers: readonly SystolicLayer[], options: ScaleSimReplayOptions = {}): ScaleSimReplayResult {
  const results = layerByLayer(layers, options, (layer, onFold) => replayLayer(config, layer, onFold));
  const sum = (f: (r: ScaleSimLayer) => number) => results.reduce((a, r) => a + f(r), 0);
  return { layers: results, totals: { totalCycles: sum((r) => r.totalCycles), stallCycles: sum((r) => r.stallCycles), macs: sum((r) => r.macs) } };
}

export interface TimeloopOptions {
  /** `per-action` (default: each access costs its own ERT action) or `max` (earlier releases). */
  ertEnergy?: ErtMode;
  /** `elided` (default) or `parent-share` (earlier releases). */
  readWriteFills?: ModelOptions['readWriteFills'];
  /** `timeloop` (default): count as Timeloop does; `accelmap`: accelmap's own counting (docs/timeloop-convention.md). */
  convention?: Convention;
  /** An Accelergy ERT file; else the ERT: key of the inputs, if any. */
  ert?: string;
  /** List every attribute read but not used, instead of one summary line per file. */
  verbose?: boolean;
}

export interface TimeloopResult {
  problem: Problem;
  arch: Architecture;
  /** The mapping read, as accelmap's directives. */
  mapping: Directive[];
  /** What was read but not used, or defaulted, one line each. */
  notes: string[];
  /** The evaluation in Timeloop's stats fields (and accelmap's `Cost`). */
  stats: TimeloopStats;
}

/**
 * Reads timeloop-model's inputs (architecture, problem, mapping, optionally an
 * Accelergy ERT; or one parsed-processed-input.yaml), merged by top-level key
 * as Timeloop merges them, and evaluates them.
 */
export function readTimeloop(files: readonly string[], options: TimeloopOptions = {}): TimeloopResult {
  const inputs = loadTimeloop(files, { ert: options.ert, ertMode: options.ertEnergy ?? 'per-action' });
  let stats: TimeloopStats;
  try {
    stats = statsOf(inputs.problem, inputs.arch, inputs.mapping, { readWriteFills: options.readWriteFills ?? 'elided', convention: options.convention ?? 'timeloop' });
  } catch (e) {
    throw isAccelmapError(e) ? e.at({ file: files[files.length - 1] }) : e;
  }
  return { problem: inputs.problem, arch: inputs.arch.arch, mapping: mappingToDirectives(inputs.problem, inputs.arch.arch, inputs.mapping), notes: renderNotes(inputs.notes, options.verbose === true), stats };
}
