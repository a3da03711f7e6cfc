import type { Architecture } from '../../arch/types.js';
import { onnxParams, seededParams } from '../../execute/params.js';
import { seededInputs } from '../../execute/inputs.js';
import { checkExecutable } from '../../execute/execute.js';
import { layerWork } from '../../network/layers.js';
import { mapMixed, type MixedResult } from '../../network/mixed.js';
import type { NetworkSearchOptions } from '../../network/searches.js';
import { choosePrecisions, type AutoChoice } from '../../quantize/auto.js';
import { isPrecision, type Precision } from '../../quantize/formats.js';
import { measureQuantization } from '../../quantize/measure.js';
import { computeNodes, makePlan, readPlanFile } from '../../quantize/plan.js';
import { renderMixed } from '../../report/mixed-report.js';
import { AccelmapError } from '../../util/errors.js';
import type { Progress } from '../../util/progress.js';
import type { Graph } from '../../workload/graph.js';
import { isModelFile } from '../../workload/load.js';
import { toJson, type Io } from '../io.js';

/**
 * `map --precision auto --max-sqnr-drop dB` and `map --plan FILE`: a precision
 * mode per compute layer. The baseline is the architecture's 8-bit mode with a
 * quantizer (quantize/formats.ts); `auto` measures each layer's output SQNR on
 * the executor at the baseline and at every lower-bit mode (uniform runs, the
 * model's weights or seeded ones, seeded inputs) and picks per layer with
 * choosePrecisions; a plan file names the modes itself.
 */
export interface PerLayerFlags {
  precision?: string;
  plan?: string;
  maxSqnrDrop?: number;
  seed: number;
  json?: boolean;
}

function baselineMode(arch: Architecture): Precision {
  const m = arch.compute.precisions.find((p) => p.operandBits === 8 && isPrecision(p.name));
  if (!m) throw new AccelmapError('bad-flag', `architecture ${arch.name} has no 8-bit precision mode to compare a per-layer plan against`, {}, `its modes: ${arch.compute.precisions.map((p) => p.name).join(', ')}`);
  return m.name as Precision;
}

export async function mapPerLayer(model: string, exported: Graph, costGraph: Graph, arch: Architecture, flags: PerLayerFlags, o: NetworkSearchOptions, progress: Progress, io: Io): Promise<void> {
  const baseline = baselineMode(arch);
  const modes = new Set(arch.compute.precisions.map((p) => p.name));
  const notes: string[] = [];
  let choices: AutoChoice[] | undefined;
  let modeOf: (name: string) => string | undefined;
  if (flags.precision === 'auto') {
    if (flags.maxSqnrDrop === undefined) throw new AccelmapError('bad-flag', '--precision auto needs --max-sqnr-drop dB', {}, 'e.g. --precision auto --max-sqnr-drop 20');
    if (flags.plan) throw new AccelmapError('bad-flag', '--precision auto and --plan exclude each other', {}, 'give one of them');
    choices = measureAndChoose(model, exported, arch, baseline, flags, progress);
    const chosen = new Map(choices.map((c) => [c.name, c.precision as string]));
    modeOf = (name) => chosen.get(name);
    notes.push(`auto: per layer the lowest-bit mode whose output SQNR drop against all-${baseline} is ≤ ${flags.maxSqnrDrop} dB (uniform runs on the executor; weights ${isModelFile(model) ? 'from the model file' : `seed ${flags.seed}`}, inputs seed ${flags.seed}); the first and last compute layers stay at ${baseline}`);
  } else {
    const file = readPlanFile(flags.plan!);
    const base = (flags.precision ?? baseline) as Precision;
    const plan = makePlan(exported, base, { ...file, firstLast: file.firstLast ?? baseline }, flags.plan);
    for (const [name, p] of plan.layers) if (!modes.has(p)) throw new AccelmapError('bad-input', `layer ${name} is planned at ${p}, which ${arch.name} has no mode for`, { file: flags.plan }, `its modes: ${[...modes].join(', ')}`);
    modeOf = (name) => plan.layers.get(name);
    if (!file.firstLast) notes.push(`plan ${flags.plan}: the first and last compute layers stay at ${baseline} (8 bits) unless the plan's first-last says otherwise`);
  }
  const r: MixedResult = await mapMixed(costGraph.name, costGraph.mode, costGraph.batch, layerWork(costGraph), arch, o, baseline, modeOf);
  progress.done();
  io.out(flags.json ? toJson({ ...r, notes, ...(choices ? { choices } : {}) }) : renderMixed(r, notes, choices));
}

function measureAndChoose(model: string, graph: Graph, arch: Architecture, baseline: Precision, flags: PerLayerFlags, progress: Progress): AutoChoice[] {
  checkExecutable(graph);
  const params = isModelFile(model) ? onnxParams(model) : seededParams(graph, flags.seed);
  const feeds = seededInputs(graph, flags.seed);
  const sqnrAt = (p: Precision) => {
    const plan = makePlan(graph, p, { firstLast: 'same', layers: {} });
    const report = measureQuantization(graph, feeds, params, plan, { method: 'mse', progress: (stage, d, n) => progress.update(`SQNR at ${p}: ${stage} node ${d}/${n}`) });
    return new Map(report.layers.map((l) => [l.name, l.sqnrDb]));
  };
  const lower = arch.compute.precisions.filter((m) => m.operandBits < 8 && isPrecision(m.name));
  return choosePrecisions({
    layers: computeNodes(graph).map((n) => n.name),
    baseline: { precision: baseline, sqnrDb: sqnrAt(baseline) },
    candidates: lower.map((m) => ({ precision: m.name as Precision, bits: m.operandBits, sqnrDb: sqnrAt(m.name as Precision) })),
    maxDropDb: flags.maxSqnrDrop!,
    keepEnds: true,
  });
}
