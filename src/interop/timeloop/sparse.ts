import { locatedError, type SourceDoc } from '../../util/source-file.js';
import { isRecord, type Path } from './source.js';

/**
 * Sparse features (Sparseloop's densities, skipping and gating, compressed
 * formats) are not modeled: a file that uses them is refused at the key, so
 * that a sparse design is never computed as if it were dense.
 */
const HINT = 'accelmap models dense tensors only: remove the sparse features to evaluate the dense design';

export function refuseSparse(src: SourceDoc, path: Path, what: string): never {
  throw locatedError('unsupported', `${what} are not modeled`, src, path, HINT);
}

/** `densities:` of a problem instance: refused unless every data space is dense (density 1). */
export function checkDensities(src: SourceDoc, path: Path, value: unknown): void {
  if (value === null || value === undefined) return;
  if (!isRecord(value)) refuseSparse(src, path, 'densities');
  for (const [space, d] of Object.entries(value)) {
    const density = isRecord(d) ? d.density : d;
    if (density !== 1 && density !== 1.0) refuseSparse(src, [...path, space], `densities (${space}: ${isRecord(d) ? JSON.stringify(d) : String(d)})`);
  }
}

/** `sparse_optimizations:` anywhere: refused unless empty. */
export function checkSparseOptimizations(src: SourceDoc, path: Path, value: unknown): void {
  if (value === null || value === undefined) return;
  if (isRecord(value) && Object.keys(value).every((k) => k === 'version' || (Array.isArray(value[k]) && (value[k] as unknown[]).length === 0))) return;
  if (Array.isArray(value) && value.length === 0) return;
  refuseSparse(src, path, 'sparse optimizations (skipping, gating, compressed formats)');
}
