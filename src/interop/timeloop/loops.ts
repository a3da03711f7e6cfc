import type { SourceDoc } from '../../util/source-file.js';
import { fileError, isRecord, type Path } from './source.js';

/**
 * Loop factors and permutations as Timeloop writes them, in mappings and in
 * v0.4 constraints: factors `"R3 P16"`, `"R=3 S=3"`, `[R=1, S=1]`, `{R: 3}`
 * or bounds `M<=4`; permutations `"SRQ"` (one letter per dimension),
 * `"S R Q"`, `"S,R,Q"` or `[S, R, Q]`, innermost loop first.
 */
export interface Factor {
  dim: string;
  op: '=' | '<=' | '>=';
  value: number;
  path: Path;
}

const FACTOR = /([A-Za-z_]+)\s*(<=|>=|=)?\s*(\d+)/y;

export function parseFactors(src: SourceDoc, path: Path, value: unknown): Factor[] {
  if (isRecord(value)) {
    return Object.entries(value).map(([dim, v]) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw fileError(src, [...path, dim], `factor '${String(v)}' is not a whole number`);
      return { dim, op: '=', value: v, path: [...path, dim] };
    });
  }
  const pieces: { text: string; path: Path }[] = Array.isArray(value) ? value.map((v, i) => ({ text: String(v), path: [...path, i] })) : [{ text: String(value ?? ''), path }];
  const out: Factor[] = [];
  for (const { text, path: at } of pieces) {
    let i = 0;
    while (i < text.length) {
      const sep = /[\s,]*/y;
      sep.lastIndex = i;
      sep.exec(text);
      i = sep.lastIndex;
      if (i >= text.length) break;
      FACTOR.lastIndex = i;
      const m = FACTOR.exec(text);
      if (!m) throw fileError(src, at, `cannot read factor '${text.slice(i).split(/[\s,]/)[0]}'`, 'write factors as R=3 S=3 (or R3 S3)');
      out.push({ dim: m[1]!, op: (m[2] as Factor['op'] | undefined) ?? '=', value: Number(m[3]), path: at });
      i = FACTOR.lastIndex;
    }
  }
  return out;
}

export function parsePermutation(src: SourceDoc, path: Path, value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.map((v, i) => {
      if (typeof v !== 'string' || v.trim() === '') throw fileError(src, [...path, i], `'${String(v)}' is not a dimension name`);
      return v.trim();
    });
  }
  if (typeof value !== 'string') throw fileError(src, path, 'a permutation is a string of dimension letters or a list of names');
  const text = value.trim();
  if (/[,\s]/.test(text)) return text.split(/[\s,]+/).filter(Boolean);
  return [...text];
}
