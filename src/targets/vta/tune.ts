import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { canonicalJson } from '../../explore/hash.js';
import { AccelmapError } from '../../util/errors.js';
import { readTextFile } from '../../util/files.js';
import { Rng } from '../../util/rng.js';
import { clipOps, gemmShape, hasActivation, lowerLayer, vectorForm, type EpiloguePlace, type LayerSchedule, type VtaLayer } from './lower.js';
import { timeLowered } from './passes.js';
import type { VtaTarget } from './spec.js';
import { scheduleSpace } from './tiling.js';
import { vectorSpace } from './vector.js';

/**
 * Schedule autotuning: for each layer, schedules from its space (tile sizes
 * per axis, loop order, virtual threads, where the activation runs) are tried in a seeded random order, each scored
 * by the timing half of the simulator; the fewest cycles wins. Every tried
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
  const hw = createHash('sha256').update(canonicalJson(knobs)).digest('hex').slice(0, 12);
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

  tried(key: string, s: LayerSchedule): boolean {
    return (this.byKey.get(key) ?? []).some((r) => scheduleId(r.schedule) === scheduleId(s));
  }

  /** The fewest-cycles record of a key (the first of equals). */
  best(key: string): TuningRecord | undefined {
    return (this.byKey.get(key) ?? []).reduce<TuningRecord | undefined>((b, r) => (!b || r.cycles < b.cycles ? r : b), undefined);
  }

  records(): TuningRecord[] {
    return [...this.byKey.values()].flat();
  }
}

/** Every schedule of a layer's space (a GEMM layer with an activation: each tiling with the activation fused and run apart). */
export function layerSpace(t: VtaTarget, l: VtaLayer, elements: number): LayerSchedule[] {
  if (l.kind !== 'gemm') return vectorSpace(t, vectorForm(t, l, elements));
  const places: EpiloguePlace[] = hasActivation(l.bounds) ? ['fused', 'separate'] : ['fused'];
  return scheduleSpace(t, gemmShape(t, l), 2).flatMap((s) => places.map((epilogue): LayerSchedule => (hasActivation(l.bounds) ? { ...s, epilogue } : s)));
}

/**
 * Tries up to `trials` new schedules of one layer (the default first, then
 * the space in an order drawn from `seed`), adding each to the log; returns
 * the records it added. Schedules the log already holds for the key are not
 * simulated again.
 */
export function tuneLayer(t: VtaTarget, l: VtaLayer, elements: number, log: TuningLog, trials: number, seed: number): TuningRecord[] {
  const key = layerKey(t, l, elements);
  const added: TuningRecord[] = [];
  const score = (s: LayerSchedule | undefined): void => {
    const lowered = lowerLayer(t, l, elements, s);
    if (log.tried(key, lowered.schedule)) return;
    const r: TuningRecord = { key, layer: l.name, schedule: lowered.schedule, cycles: timeLowered(t, lowered).cycles };
    log.add(r);
    added.push(r);
  };
  score(undefined);
  const space = new Rng(seed).shuffle(layerSpace(t, l, elements));
  for (const s of space) {
    if (added.length >= trials) break;
    score(s);
  }
  return added;
}
