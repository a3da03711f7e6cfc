import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AccelmapError } from '../util/errors.js';

/**
 * The server's own folder: uploaded files (named by a random id the server
 * made, never by anything a request says) and the results store. No request
 * reaches the file system anywhere else.
 */
export interface DataDir {
  root: string;
  uploads: string;
  /** The results store (SQLite): explored designs and the log of runs. */
  store: string;
}

export function openDataDir(root: string): DataDir {
  const abs = resolve(root);
  const uploads = join(abs, 'uploads');
  try {
    mkdirSync(uploads, { recursive: true });
  } catch (e) {
    throw new AccelmapError('io', `cannot make the data directory: ${e instanceof Error ? e.message : String(e)}`, { file: abs }, 'give a writable folder with --data-dir');
  }
  return { root: abs, uploads, store: join(abs, 'results.db') };
}

export const UPLOAD_KINDS = ['onnx', 'arch'] as const;
export type UploadKind = (typeof UPLOAD_KINDS)[number];

const UPLOAD_ID = /^[0-9a-f]{32}$/;
const EXTENSION: Record<UploadKind, string> = { onnx: '.onnx', arch: '.yaml' };

/** Where an upload with this id lives; an id the server could not have made is refused. */
export function uploadPath(data: DataDir, id: string, kind: UploadKind): string {
  if (!UPLOAD_ID.test(id)) throw new AccelmapError('bad-input', `'${id}' is not an upload id`, { path: 'upload' }, 'upload the file first (POST /api/uploads)');
  return join(data.uploads, `${id}${EXTENSION[kind]}`);
}
