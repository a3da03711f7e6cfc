import { archFromSpec } from '../../arch/load.js';
import type { Architecture } from '../../arch/types.js';
import { costOf } from '../../mapping/cost.js';
import { mappingFor, type MappingArrays } from '../../mapping/mapping.js';
import { matmulProblem } from '../../problem/builders.js';
import type { Problem } from '../../problem/types.js';
import type { Dataflow, LayerResult, SystolicArraySpec, SystolicLayer } from '../../sim/systolic/types.js';

/**
 * A SCALE-Sim configuration and layer as an analytical-model input, so the
 * cycle-level simulator (sim/systolic) and the cost model (mapping/) can be
 * run on the same thing:
 *
 * - the problem is the layer's GEMM after im2col (Inputs[m, k] = ifmap,
 *   Weights[k, n] = filters, Outputs[m, n] = ofmap; m = ofmap pixels,
 *   n = filters, k = window R·S·C), one-byte words;
 * - the architecture is DRAM → ifmap SRAM → filter SRAM → ofmap SRAM (each
 *   keeping its operand whole) → a rows × cols array of PEs, each with a
 *   one-word register for the stationary operand → one MAC per PE; networks
 *   multicast along rows and columns and reduce partial sums down columns;
 *   no bandwidth limits (the comparison is of compute, not of DRAM stalls);
 * - the mapping is the dataflow: what the array's rows (Y), columns (X) and
 *   time take — os: pixels, filters, window; ws: window, filters, pixels;
 *   is: window, pixels, filters — each spatial extent split into folds of
 *   the array's size, column folds outside row folds, the stream innermost.
 *
 * Where the array does not divide a spatial extent, the last fold is padded
 * (the cost model streams the padding; the simulator leaves those PEs idle).
 */
export interface AnalyticalEquivalent {
  problem: Problem;
  arch: Architecture;
  mapping: MappingArrays;
  /** Rows (Sr), columns (Sc) and time (T) of the dataflow, and how they fold onto the array. */
  spatial: { rows: number; cols: number; temporal: number };
  folds: { rows: number; cols: number };
  /** Spatial extents rounded up to whole folds. */
  padded: { rows: number; cols: number };
}

/** ifmap/filter/ofmap GEMM sizes of a layer (SCALE-Sim's im2col: no padding, batch 1). */
export function layerGemm(layer: SystolicLayer): { pixels: number; filters: number; window: number } {
  if (layer.kind === 'gemm') return { pixels: layer.m, filters: layer.n, window: layer.k };
  const e = Math.ceil((layer.ifmapHeight - layer.filterHeight + layer.strideHeight) / layer.strideHeight);
  const f = Math.ceil((layer.ifmapWidth - layer.filterWidth + layer.strideWidth) / layer.strideWidth);
  return { pixels: e * f, filters: layer.filters, window: layer.filterHeight * layer.filterWidth * layer.channels };
}

/** The dims of the GEMM (M = pixels, N = filters, K = window) on rows, columns and time, and the stationary operand. */
const DATAFLOW: Record<Dataflow, { rows: 'M' | 'N' | 'K'; cols: 'M' | 'N' | 'K'; time: 'M' | 'N' | 'K'; stationary: string }> = {
  os: { rows: 'M', cols: 'N', time: 'K', stationary: 'Outputs' },
  ws: { rows: 'K', cols: 'N', time: 'M', stationary: 'Weights' },
  is: { rows: 'K', cols: 'M', time: 'N', stationary: 'Inputs' },
};

export function analyticalEquivalent(spec: SystolicArraySpec, layer: SystolicLayer): AnalyticalEquivalent {
  const g = layerGemm(layer);
  const bound = { M: g.pixels, N: g.filters, K: g.window };
  const df = DATAFLOW[spec.dataflow];
  const problem = matmulProblem({ M: g.pixels, N: g.filters, K: g.window }, { operandBits: 8, resultBits: 8 }, layer.kind === 'gemm' ? 'matmul' : 'conv-im2col');
  const rowsUsed = Math.min(spec.rows, bound[df.rows]);
  const colsUsed = Math.min(spec.cols, bound[df.cols]);
  const rowFolds = Math.ceil(bound[df.rows] / rowsUsed);
  const colFolds = Math.ceil(bound[df.cols] / colsUsed);
  const whole = 2 ** 40;
  const sram = (name: string, keeps: string) => ({ name, class: 'sram', words: whole, wordBits: 8, dataSpaces: [keeps] });
  const arch = archFromSpec({
    name: `systolic-${spec.rows}x${spec.cols}-${spec.dataflow}`,
    description: `${spec.rows}×${spec.cols} systolic array, ${spec.dataflow} dataflow (SCALE-Sim configuration)`,
    technology: 45,
    clock: 1e9,
    wordBits: 8,
    levels: [
      { name: 'DRAM', class: 'dram', wordBits: 8 },
      sram('IfmapSRAM', 'Inputs'),
      sram('FilterSRAM', 'Weights'),
      sram('OfmapSRAM', 'Outputs'),
      { name: 'PE', class: 'regfile', words: 1, wordBits: 8, dataSpaces: [df.stationary], fanOut: { x: spec.cols, y: spec.rows, multicast: true, reduction: true, energyPerWord: 0 } },
    ],
    compute: { name: 'MAC', precisions: [{ name: 'int8', kind: 'int', operandBits: 8 }] },
  });
  const m = mappingFor(problem, arch);
  const D = problem.dims.length, DS = problem.dataSpaces.length;
  const dim = (name: string) => problem.dims.indexOf(name);
  const OFMAP = 3;
  m.spatialY[OFMAP * D + dim(df.rows)] = rowsUsed;
  m.spatialX[OFMAP * D + dim(df.cols)] = colsUsed;
  m.temporal[OFMAP * D + dim(df.rows)] = rowFolds;
  m.temporal[OFMAP * D + dim(df.cols)] = colFolds;
  m.temporal[OFMAP * D + dim(df.time)] = bound[df.time];
  // Outermost first: column folds, row folds, then the stream.
  [dim(df.cols), dim(df.rows), dim(df.time)].forEach((d, k) => (m.order[OFMAP * D + k] = d));
  arch.levels.forEach((level, l) => problem.dataSpaces.forEach((ds, s) => (m.keep[l * DS + s] = l === 0 || level.dataSpaces!.includes(ds.name) ? 1 : 0)));
  return {
    problem,
    arch,
    mapping: m,
    spatial: { rows: bound[df.rows], cols: bound[df.cols], temporal: bound[df.time] },
    folds: { rows: rowFolds, cols: colFolds },
    padded: { rows: rowFolds * rowsUsed, cols: colFolds * colsUsed },
  };
}

/** One SRAM stream: the simulator's count, the model's, and the padding ratio that relates them. */
export interface StreamAgreement {
  simulated: number;
  model: number;
  /** model · den = simulated · num exactly: num/den = padded over true extents of the array dims indexing the operand. */
  num: number;
  den: number;
}

export interface SimulatorModelAgreement {
  layer: string;
  dataflow: Dataflow;
  macs: { simulated: number; model: number };
  folds: number;
  /** Stepped cycles (no stalls) against the model's throughput cycles; the difference is fill and drain. */
  cycles: { simulated: number; model: number; stream: number; fillDrainPerFold: number };
  sram: { ifmapReads: StreamAgreement; filterReads: StreamAgreement; ofmapWrites: StreamAgreement; ofmapReads: StreamAgreement };
  /** The simulator's compute utilization and mapping efficiency, the model's utilization. */
  utilization: { simulated: number; mappingEfficiency: number; model: number };
}

/**
 * Runs a layer through the cycle-level simulator and the cost model and
 * lines up what each counts. Fill and drain per fold: 2R + C − 2 cycles for
 * ws and is (preload from the top, partial sums down R rows, words across C
 * columns), R + C − 2 for os — the simulator steps them, a throughput model
 * does not.
 */
export function compareWithSimulator(spec: SystolicArraySpec, layer: SystolicLayer, simulated: LayerResult): SimulatorModelAgreement {
  const eq = analyticalEquivalent(spec, layer);
  const cost = costOf(eq.problem, eq.arch, eq.mapping);
  const stat = (level: string, ds: string) => cost.levels.find((l) => l.level === level)!.dataSpaces.find((d) => d.dataSpace === ds)!;
  const df = DATAFLOW[spec.dataflow];
  // Which array dims (rows, columns) index each operand, for the padding ratio.
  const ratio = (indexes: ('M' | 'N' | 'K')[]) => {
    let num = 1, den = 1;
    if (indexes.includes(df.rows)) [num, den] = [num * eq.padded.rows, den * eq.spatial.rows];
    if (indexes.includes(df.cols)) [num, den] = [num * eq.padded.cols, den * eq.spatial.cols];
    return { num, den };
  };
  const stream = (sim: number, model: number, indexes: ('M' | 'N' | 'K')[]): StreamAgreement => ({ simulated: sim, model, ...ratio(indexes) });
  const ofmap = stat('OfmapSRAM', 'Outputs');
  const folds = eq.folds.rows * eq.folds.cols;
  return {
    layer: layer.name,
    dataflow: spec.dataflow,
    macs: { simulated: simulated.macs, model: cost.macs },
    folds,
    cycles: { simulated: simulated.computeCycles, model: cost.computeCycles, stream: eq.spatial.temporal, fillDrainPerFold: (spec.dataflow === 'os' ? spec.rows : 2 * spec.rows) + spec.cols - 2 },
    sram: {
      ifmapReads: stream(simulated.sram.ifmapReads.words, stat('IfmapSRAM', 'Inputs').reads, ['M', 'K']),
      filterReads: stream(simulated.sram.filterReads.words, stat('FilterSRAM', 'Weights').reads, ['K', 'N']),
      ofmapWrites: stream(simulated.sram.ofmapWrites.words, ofmap.updates, ['M', 'N']),
      ofmapReads: stream(simulated.sram.ofmapReads, ofmap.reads, ['M', 'N']),
    },
    utilization: { simulated: simulated.computeUtilization, mappingEfficiency: simulated.mappingEfficiency, model: cost.utilization },
  };
}
