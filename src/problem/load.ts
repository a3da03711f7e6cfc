import { existsSync } from 'node:fs';
import { z } from 'zod';
import { locatedError, readSourceFile, zodIssueError, type SourceDoc } from '../util/source-file.js';
import { layerProblem, parseLayerSpec } from './parse.js';
import { DIAGONAL_HINT, diagonalProblem, type Problem } from './types.js';

/**
 * A layer for `accelmap model`: the compact form (`conv:K=64,…`, see parse.ts)
 * or a YAML/JSON file holding either `{layer: "conv:…"}`, the compact keys as
 * an object (`{kind: conv, K: 64, …}`), a whole Problem
 * (`{kind, dims, bounds, dataSpaces, operandBits, resultBits}`), or a layer
 * of `accelmap map --json` (its `problem`).
 */
export function loadLayer(spec: string): Problem {
  const looksLikeFile = /\.(ya?ml|json)$/i.test(spec) || (existsSync(spec) && !spec.includes(':'));
  if (!looksLikeFile) return parseLayerSpec(spec);
  return layerFromSource(readSourceFile(spec));
}

const termSchema = z.object({ dim: z.number().int().min(0), coef: z.number().int().min(0) }).strict();
const problemSchema = z
  .object({
    kind: z.string().min(1),
    dims: z.array(z.string().min(1)).min(1),
    bounds: z.array(z.number().int().min(1)).min(1),
    dataSpaces: z.array(z.object({ name: z.string().min(1), readWrite: z.boolean(), projection: z.array(z.array(termSchema)) }).strict()).min(1),
    operandBits: z.number().int().min(1),
    resultBits: z.number().int().min(1),
  })
  .strict();

const HINT = 'give {layer: "conv:K=64,C=64,P=56,Q=56,R=3,S=3"}, {kind: conv, K: 64, …} or a whole problem';

export function layerFromSource(src: SourceDoc): Problem {
  const v = src.value;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.layer === 'string') return parseLayerSpec(o.layer);
    // A layer of `accelmap map --json` carries the problem its mapping maps.
    const nested = o.problem && typeof o.problem === 'object' && 'dims' in o.problem;
    if (nested || 'dims' in o) {
      const parsed = problemSchema.safeParse(nested ? o.problem : o);
      if (!parsed.success) throw zodIssueError(parsed.error, nested ? { ...src, locate: (path) => src.locate(['problem', ...path]) } : src, 'bad-input', HINT);
      const p = parsed.data;
      if (p.bounds.length !== p.dims.length) throw locatedError('bad-input', `${p.dims.length} dims but ${p.bounds.length} bounds`, src, ['bounds'], HINT);
      p.dataSpaces.forEach((ds, i) => {
        ds.projection.forEach((proj, r) =>
          proj.forEach((t, k) => {
            if (t.dim >= p.dims.length) throw locatedError('bad-input', `dimension index ${t.dim} out of range`, src, ['dataSpaces', i, 'projection', r, k, 'dim'], HINT);
          }),
        );
        const diagonal = diagonalProblem(p.dims, ds);
        if (diagonal) throw locatedError('unsupported', diagonal, src, ['dataSpaces', i, 'projection'], DIAGONAL_HINT);
      });
      return p;
    }
    if (typeof o.kind === 'string') {
      const values: Record<string, number> = {};
      for (const [k, x] of Object.entries(o)) {
        if (k === 'kind') continue;
        if (typeof x !== 'number' || !Number.isInteger(x)) throw locatedError('bad-input', `${k} must be an integer`, src, [k], HINT);
        values[k] = x;
      }
      return layerProblem(o.kind, values, src.file);
    }
  }
  throw locatedError('bad-input', 'not a layer description', src, [], HINT);
}
