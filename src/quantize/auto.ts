import type { Architecture } from '../arch/types.js';
import { execute, runNode, type Feeds, type ParamSource } from '../execute/execute.js';
import type { Value } from '../execute/value.js';
import { AccelmapError } from '../util/errors.js';
import type { Graph } from '../workload/graph.js';
import type { CalibrationMethod } from './calibrate.js';
import { isPrecision, precisionBits, type Precision } from './formats.js';
import { layerInputQuantizer, sqnrDb } from './measure.js';
import { computeNodes } from './plan.js';

/**
 * `--precision auto --max-sqnr-drop dB`, as two stages.
 *
 * measureLayerSensitivity: each compute layer's own SQNR drop. With every
 * layer at the baseline (the 8-bit mode), a layer's output SQNR against the
 * fp32 run; then the same layer alone at a candidate precision, the rest of
 * the network still at the baseline: its output SQNR again. The drop is the
 * difference, the error the layer adds by itself at that precision. Cheaply:
 * one fp32 run keeps each compute layer's output, one run at the baseline
 * keeps each compute layer's inputs (as the baseline network computed
 * them), then each layer's kernel runs once more per candidate on those
 * inputs quantized at the candidate. Since the layers before it are unchanged, this is exactly what
 * rerunning the whole network with only that layer at the candidate gives
 * the layer (checked by a test against those reruns). The drop is judged at
 * the layer's output, not the network's: judging it there would take a
 * rerun of the rest of the network per layer and candidate.
 *
 * choosePrecisions: per layer, the lowest-bit candidate within the budget.
 */
export interface CandidateDrop {
  precision: Precision;
  /** The layer's output SQNR with only it at `precision`, dB. */
  sqnrDb: number;
  /** Baseline SQNR minus `sqnrDb` (0 when both are exact). */
  dropDb: number;
}

export interface LayerSensitivity {
  name: string;
  op: string;
  /** The layer's output SQNR against fp32 with every layer at the baseline, dB (Infinity when exact). */
  baselineSqnrDb: number;
  candidates: CandidateDrop[];
}

export interface LayerSensitivityOptions {
  /** The precision every other layer runs at. */
  baseline: Precision;
  /** The precisions each layer is tried at alone. */
  candidates: Precision[];
  /** How an activation's clip is chosen from its own values (integer precisions). */
  method: CalibrationMethod;
  progress?: (stage: string, done: number, total: number) => void;
}

/**
 * Each compute layer's output SQNR at the baseline and alone at each
 * candidate, in graph order (see above). It holds every compute layer's
 * fp32 output and inputs (weights included) until that layer is measured:
 * about a network's weights and activations at once.
 */
export async function measureLayerSensitivity(graph: Graph, feeds: Feeds, params: ParamSource, o: LayerSensitivityOptions): Promise<LayerSensitivity[]> {
  const layers = computeNodes(graph);
  const compute = new Set(layers.map((n) => n.name));
  const reference = new Map<string, Value>();
  execute(graph, feeds, params, {
    observe: (node, out) => compute.has(node.name) && reference.set(node.name, out[0]!),
    progress: (d, n) => o.progress?.('fp32', d, n),
  });
  const quantize = layerInputQuantizer(graph, o.method);
  const read = new Map<string, (Value | undefined)[]>();
  const baselineSqnr = new Map<string, number>();
  execute(graph, feeds, params, {
    transformInput: (node, i, v) => {
      if (!compute.has(node.name)) return v;
      const raw = read.get(node.name) ?? node.inputs.map(() => undefined);
      raw[i] = v;
      read.set(node.name, raw);
      return quantize(node, i, v, o.baseline);
    },
    observe: (node, out) => compute.has(node.name) && baselineSqnr.set(node.name, sqnrDb(reference.get(node.name)!.data, out[0]!.data)),
    progress: (d, n) => o.progress?.(o.baseline, d, n),
  });
  const measured: LayerSensitivity[] = [];
  for (const node of layers) {
    // between layers, let work waiting on this thread (a mapper's pool) go on
    await new Promise((resolve) => setImmediate(resolve));
    const ref = reference.get(node.name)!.data;
    const raw = read.get(node.name)!;
    const baselineSqnrDb = baselineSqnr.get(node.name)!;
    const candidates = o.candidates.map((p): CandidateDrop => {
      const alone = runNode(graph, node, raw.map((v, i) => v && quantize(node, i, v, p)))[0]!;
      const s = sqnrDb(ref, alone.data);
      // Infinity − Infinity (both exact) is no drop
      return { precision: p, sqnrDb: s, dropDb: s === baselineSqnrDb ? 0 : baselineSqnrDb - s };
    });
    measured.push({ name: node.name, op: node.op, baselineSqnrDb, candidates });
    reference.delete(node.name);
    read.delete(node.name);
    o.progress?.(`each layer alone at ${o.candidates.join('/')}`, measured.length, layers.length);
  }
  return measured;
}

/** A compute layer's chosen precision, the drop it costs, and why. */
export interface AutoChoice {
  name: string;
  precision: Precision;
  /** The layer's own SQNR drop at the chosen precision, dB (0 at the baseline). */
  dropDb: number;
  why: string;
}

export interface ChooseOptions {
  baseline: Precision;
  /** The largest own SQNR drop a layer may take, dB. */
  maxDropDb: number;
  /** Keep the first and last compute layers at the baseline (the usual choice). */
  keepEnds: boolean;
}

/** Per compute layer (in graph order), the lowest-bit candidate whose drop is within the budget; the baseline when none is (it always qualifies, drop 0). */
export function choosePrecisions(layers: LayerSensitivity[], o: ChooseOptions): AutoChoice[] {
  if (!(o.maxDropDb >= 0)) throw new AccelmapError('bad-flag', `--max-sqnr-drop ${o.maxDropDb} must be a number of dB ≥ 0`);
  return layers.map((l, i) => {
    if (o.keepEnds && (i === 0 || i === layers.length - 1)) return { name: l.name, precision: o.baseline, dropDb: 0, why: `first/last kept at ${o.baseline}` };
    const fits = l.candidates.filter((c) => c.dropDb <= o.maxDropDb).sort((x, y) => precisionBits(x.precision) - precisionBits(y.precision))[0];
    if (fits) return { name: l.name, precision: fits.precision, dropDb: fits.dropDb, why: `own SQNR drop ${fits.dropDb.toFixed(1)} dB ≤ ${o.maxDropDb} dB` };
    return { name: l.name, precision: o.baseline, dropDb: 0, why: `every lower precision drops more than ${o.maxDropDb} dB` };
  });
}

/** The precisions `auto` weighs on an architecture: its 8-bit mode as the baseline, its lower-bit modes as candidates. */
export function autoPrecisions(arch: Architecture): { baseline: Precision; candidates: Precision[] } {
  const named = arch.compute.precisions.filter((p) => isPrecision(p.name));
  const base = named.find((p) => p.operandBits === 8);
  if (!base) throw new AccelmapError('bad-flag', `architecture ${arch.name} has no 8-bit precision mode to compare a per-layer plan against`, {}, `its modes: ${arch.compute.precisions.map((p) => p.name).join(', ')}`);
  return { baseline: base.name as Precision, candidates: named.filter((p) => p.operandBits < 8).map((p) => p.name as Precision) };
}
