import { AccelmapError, type ErrorCode } from './errors.js';
import type { SourceDoc } from './source-file.js';

/**
 * Errors located in a source document, apart from the YAML reader
 * (source-file.ts) so that code checking already-read values (a worker
 * thread's) does not load it.
 */

/** `levels[2].capacity` from a path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s ? `.${String(k)}` : String(k);
  return s;
}

export function locatedError(code: ErrorCode, message: string, src: SourceDoc | undefined, path: readonly PropertyKey[], hint?: string): AccelmapError {
  const pos = src?.locate(path);
  return new AccelmapError(code, message, { file: src?.file, line: pos?.line, col: pos?.col, path: path.length ? formatPath(path) : undefined }, hint);
}
