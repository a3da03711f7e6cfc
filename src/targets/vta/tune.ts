import { existsSync } from 'node:fs';
import { canonicalHash, canonicalJson } from '../../explore/hash.js';
import { AccelmapError } from '../../util/errors.js';
import { readTextFile } from '../../util/files.js';
import { DESIGN_STRATEGIES, searchDesigns, type DesignStrategy } from '../../explore/search.js';
import { clipOps, gemmShape, lowerLayer, vectorForm, type LayerSchedule, type VtaLayer } from './lower.js';
import { timeLowered } from './passes.js';
import type { VtaTarget } from './spec.js';
import { layerSpace, scheduleAt } from './space.js';

/**
 * Schedule autotuning: for each layer, schedules from its space (tile sizes
 * per axis, loop order, virtual threads, where the activation runs) are
 * searched with the design explorer's strategies (seeded), each scored by
 * the timing half of the simulator; the fewest cycles wins. Every tried
 * configuration is one JSON line of the tuning log, keyed by the layer's
 * shape and the target's knobs, so that a later compile (or tuning run)
 * reads them back instead of simulating again.
 */
export interface TuningRecord {
  key: string;
  /** The layer first tuned under this key (for reading; the key is what matches). */
  layer: string;
  schedule: LayerSchedule;
  cycles: number;
}

/** The key of a layer: the target's knobs (hashed) and the layer's shape as lowered. */
export function layerKey(t: VtaTarget, l: VtaLayer, elements: number): string {
  const { name: _name, arch: _arch, ...knobs } = t;
  const hw = canonicalHash(knobs, 12);
  if (l.kind === 'gemm') {
    const s = gemmShape(t, l);
    return `${hw}/gemm/${s.m}x${s.k}x${s.n}/${clipOps(l.bounds).length}`;
  }
  const f = vectorForm(t, l, elements);
  return `${hw}/vector/${f.vectors}x${f.operands}/${f.ops.length}`;
}

const scheduleId = (s: LayerSchedule) => canonicalJson(s);

export class TuningLog {
  private readonly byKey = new Map<string, TuningRecord[]>();

  constructor(records: readonly TuningRecord[] = []) {
    records.forEach((r) => this.add(r));
  }

  /** Reads a log file; a missing file is an empty log. */
  static read(file: string): TuningLog {
    if (!existsSync(file)) return new TuningLog();
    const records = readTextFile(file, '--tuning-log')
      .split('\n')
      .map((line, i) => [line.trim(), i + 1] as const)
      .filter(([line]) => line)
      .map(([line, n]) => {
        try {
          const r = JSON.parse(line) as TuningRecord;
          if (typeof r.key !== 'string' || typeof r.cycles !== 'number' || typeof r.schedule !== 'object' || r.schedule === null) throw new Error('missing key, schedule or cycles');
          return r;
        } catch (e) {
          throw new AccelmapError('bad-input', `line ${n} is not a tuning record (${(e as Error).message})`, { file }, 'each line: {"key", "layer", "schedule", "cycles"}');
        }
      });
    return new TuningLog(records);
  }

  add(r: TuningRecord): void {
    this.byKey.set(r.key, [...(this.byKey.get(r.key) ?? []), r]);
  }

  /** The cycles the log holds for a schedule of a key, if it holds it. */
  cycles(key: string, s: LayerSchedule): number | undefined {
    return (this.byKey.get(key) ?? []).find((r) => scheduleId(r.schedule) === scheduleId(s))?.cycles;
  }

  /** The fewest-cycles record of a key (the first of equals). */
  best(key: string): TuningRecord | undefined {
    return (this.byKey.get(key) ?? []).reduce<TuningRecord | undefined>((b, r) => (!b || r.cycles < b.cycles ? r : b), undefined);
  }

  records(): TuningRecord[] {
    return [...this.byKey.values()].flat();
  }
}

/** The search strategies the tuner offers: the design explorer's (uniform random sampling, or NSGA-II, a genetic search, on the single objective of cycles). */
export const TUNE_STRATEGIES = DESIGN_STRATEGIES;
export type TuneStrategy = DesignStrategy;

/**
 * Tunes one layer with `trials` evaluations: the default schedule first,
 * then points of the layer's space (`space.ts`) chosen by the design
 * explorer's search (`strategy`, seeded by `seed`; points that do not fit
 * the buffers cost nothing; NSGA-II's population is a third of the budget,
 * at least 4, so that a small budget still breeds generations), each scored
 * by the timing half. Every schedule
 * new to the log is added to it and returned; one the log already holds is
 * read from it instead of simulated, so a rerun with the same seed retraces
 * the same points without simulating, and a new seed searches further.
 */
export async function tuneLayer(t: VtaTarget, l: VtaLayer, elements: number, log: TuningLog, trials: number, seed: number, strategy: TuneStrategy = 'nsga2'): Promise<TuningRecord[]> {
  const key = layerKey(t, l, elements);
  const added: TuningRecord[] = [];
  const score = (s: LayerSchedule): number => {
    const lowered = lowerLayer(t, l, elements, s);
    const known = log.cycles(key, lowered.schedule);
    if (known !== undefined) return known;
    const r: TuningRecord = { key, layer: l.name, schedule: lowered.schedule, cycles: timeLowered(t, lowered).cycles };
    log.add(r);
    added.push(r);
    return r.cycles;
  };
  score({});
  const space = layerSpace(t, l, elements);
  await searchDesigns(
    { cardinalities: space.axes.map((a) => a.values.length), admissible: (d) => space.fits(scheduleAt(space, d)), evaluate: async (d) => [score(scheduleAt(space, d))] },
    { strategy, budget: trials - 1, seed, population: Math.max(4, Math.floor((trials - 1) / 3)) },
  );
  return added;
}
