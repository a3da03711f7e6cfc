import { AccelmapError } from '../util/errors.js';
import type { Precision } from './formats.js';

/**
 * `--precision auto --max-sqnr-drop dB`: per compute layer, the lowest-bit
 * candidate whose measured SQNR drop stays within the budget. A layer's drop
 * at precision P is its output SQNR with every layer at the 8-bit baseline
 * minus its output SQNR with every layer at P (both measured on the executor,
 * error accumulated from the layers before it, so the drop is an upper bound
 * of what the layer adds alone). The baseline itself always qualifies (drop 0).
 * The first and last compute layers stay at the baseline unless `ends` says
 * otherwise.
 */
export interface AutoChoice {
  name: string;
  precision: Precision;
  /** SQNR drop at the chosen precision, dB (0 at the baseline). */
  dropDb: number;
  why: string;
}

export interface AutoInput {
  /** Compute layers in graph order. */
  layers: string[];
  /** The 8-bit baseline's per-layer SQNR, dB. */
  baseline: { precision: Precision; sqnrDb: Map<string, number> };
  /** Lower-bit candidates with their per-layer SQNR (uniform runs), any order. */
  candidates: { precision: Precision; bits: number; sqnrDb: Map<string, number> }[];
  maxDropDb: number;
  /** Keep the first and last compute layers at the baseline (the default). */
  keepEnds: boolean;
}

export function choosePrecisions(a: AutoInput): AutoChoice[] {
  if (!(a.maxDropDb >= 0)) throw new AccelmapError('bad-flag', `--max-sqnr-drop ${a.maxDropDb} must be a number of dB ≥ 0`);
  const lowestFirst = [...a.candidates].sort((x, y) => x.bits - y.bits);
  return a.layers.map((name, i) => {
    const base = a.baseline.sqnrDb.get(name);
    if (base === undefined) throw new Error(`no baseline SQNR for layer ${name}`);
    if (a.keepEnds && (i === 0 || i === a.layers.length - 1)) return { name, precision: a.baseline.precision, dropDb: 0, why: `first/last kept at ${a.baseline.precision}` };
    for (const c of lowestFirst) {
      const s = c.sqnrDb.get(name);
      if (s === undefined) continue;
      // Infinity − Infinity (both exact) is no drop
      const drop = base === s ? 0 : base - s;
      if (drop <= a.maxDropDb) return { name, precision: c.precision, dropDb: drop, why: `SQNR drop ${drop.toFixed(1)} dB ≤ ${a.maxDropDb} dB` };
    }
    return { name, precision: a.baseline.precision, dropDb: 0, why: `every lower precision drops more than ${a.maxDropDb} dB` };
  });
}
