import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { AccelmapError, isAccelmapError, loadArch, loadGraph } from '../index.js';
import { uploadPath, type DataDir, type UploadKind } from './data-dir.js';

export interface Upload {
  /** Refer to it in a job as `upload:<id>`. */
  id: string;
  kind: UploadKind;
  /** The name the client gave (for display only; never a path). */
  name: string;
  /** What the reader made of it: a model's name and node count, or an arch's name. */
  summary: string;
}

/** A file name a client sent, kept for display: its last path part, printable characters only, at most 100. */
export function displayName(name: string | undefined, kind: UploadKind): string {
  const base = (name ?? '').split(/[\\/]/).pop()!.replace(/[^\w .@+-]/g, '_').slice(0, 100);
  return base || (kind === 'onnx' ? 'model.onnx' : 'arch.yaml');
}

/**
 * Keeps an uploaded file in the data directory under a fresh id once the
 * reader the CLI uses accepts it (the ONNX importer, or the arch spec
 * loader); otherwise deletes it and throws the reader's error, its location
 * naming the file as the client called it.
 */
export function acceptUpload(data: DataDir, kind: UploadKind, bytes: Uint8Array, name: string): Upload {
  const id = randomBytes(16).toString('hex');
  const file = uploadPath(data, id, kind);
  writeFileSync(file, bytes, { flag: 'wx' });
  try {
    if (kind === 'onnx') {
      const g = loadGraph(file);
      return { id, kind, name, summary: `${g.nodes.length} nodes, batch ${g.batch}` };
    }
    return { id, kind, name, summary: loadArch(file).name };
  } catch (e) {
    rmSync(file, { force: true });
    if (isAccelmapError(e)) throw new AccelmapError(e.code, e.message, { ...e.location, file: name }, e.hint);
    throw e;
  }
}
