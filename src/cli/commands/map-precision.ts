import type { Architecture } from '../../arch/types.js';
import { measureSensitivity } from '../../api/precision.js';
import { layerWork } from '../../network/layers.js';
import { mapMixed, type MixedResult, type ModeOf } from '../../network/mixed.js';
import type { NetworkSearchOptions } from '../../network/searches.js';
import { autoPrecisions, choosePrecisions, type AutoChoice, type LayerSensitivity } from '../../quantize/auto.js';
import type { Precision } from '../../quantize/formats.js';
import { makePlan, readPlanFile } from '../../quantize/plan.js';
import { renderMixed } from '../../report/mixed-report.js';
import { AccelmapError } from '../../util/errors.js';
import type { Progress } from '../../util/progress.js';
import type { Graph } from '../../workload/graph.js';
import { isModelFile } from '../../workload/load.js';
import { toJson, type Io } from '../io.js';

/**
 * `map --precision auto --max-sqnr-drop dB` and `map --plan FILE`: a precision
 * mode per compute layer. The baseline is the architecture's 8-bit mode with a
 * quantizer (quantize/formats.ts); `auto` measures each layer's own SQNR drop
 * at every lower-bit mode (measureSensitivity: the model's weights or seeded
 * ones, a seeded input) and picks per layer (choosePrecisions); a plan file
 * names the modes itself.
 */
export interface PerLayerFlags {
  precision?: string;
  plan?: string;
  maxSqnrDrop?: number;
  seed: number;
  json?: boolean;
}

export async function mapPerLayer(model: string, exported: Graph, costGraph: Graph, arch: Architecture, flags: PerLayerFlags, o: NetworkSearchOptions, progress: Progress, io: Io): Promise<void> {
  const { baseline, candidates } = autoPrecisions(arch);
  const modes = new Set(arch.compute.precisions.map((p) => p.name));
  const notes: string[] = [];
  let auto: Promise<{ choices: AutoChoice[]; sensitivity: LayerSensitivity[] }> | undefined;
  let modeOf: ModeOf | Promise<ModeOf>;
  if (flags.precision === 'auto') {
    if (flags.maxSqnrDrop === undefined) throw new AccelmapError('bad-flag', '--precision auto needs --max-sqnr-drop dB', {}, 'e.g. --precision auto --max-sqnr-drop 20');
    if (flags.plan) throw new AccelmapError('bad-flag', '--precision auto and --plan exclude each other', {}, 'give one of them');
    const budget = flags.maxSqnrDrop;
    // the baseline is mapped while the layers are measured
    auto = measureSensitivity(exported, { baseline, candidates, weightsFrom: isModelFile(model) ? model : undefined, seed: flags.seed, onProgress: (m) => progress.update(m) })
      .then((sensitivity) => ({ choices: choosePrecisions(sensitivity, { baseline, maxDropDb: budget, keepEnds: true }), sensitivity }));
    modeOf = auto.then(({ choices }) => {
      const chosen = new Map(choices.map((c) => [c.name, c.precision as string]));
      return (name: string) => chosen.get(name);
    });
    notes.push(`auto: per layer the lowest-bit mode whose own output SQNR drop (that layer alone at the mode, the rest at ${baseline}) is ≤ ${budget} dB (weights ${isModelFile(model) ? 'from the model file' : `seed ${flags.seed}`}, inputs seed ${flags.seed}); the first and last compute layers stay at ${baseline}`);
  } else {
    const file = readPlanFile(flags.plan!);
    const base = (flags.precision ?? baseline) as Precision;
    const plan = makePlan(exported, base, { ...file, firstLast: file.firstLast ?? baseline }, flags.plan);
    for (const [name, p] of plan.layers) if (!modes.has(p)) throw new AccelmapError('bad-input', `layer ${name} is planned at ${p}, which ${arch.name} has no mode for`, { file: flags.plan }, `its modes: ${[...modes].join(', ')}`);
    modeOf = (name) => plan.layers.get(name);
    if (!file.firstLast) notes.push(`plan ${flags.plan}: the first and last compute layers stay at ${baseline} (8 bits) unless the plan's first-last says otherwise`);
  }
  const r: MixedResult = await mapMixed(costGraph.name, costGraph.mode, costGraph.batch, layerWork(costGraph), arch, o, baseline, modeOf);
  const measured = await auto;
  progress.done();
  io.out(flags.json ? toJson({ ...r, notes, ...measured }) : renderMixed(r, notes, measured?.choices));
}
