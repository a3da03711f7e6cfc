import { accessSync, constants, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AccelmapError } from './errors.js';

/**
 * Reading and writing the files a user names. A file that cannot be read or
 * written is a user mistake (a wrong path, a folder, no permission): an
 * 'io' AccelmapError naming the file, never a stack trace.
 */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'it is a folder',
  ENOTDIR: 'part of the path is not a folder',
  EEXIST: 'a file of that name exists',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
};

/** Why a file operation failed, in words. */
export function fileErrorReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && REASONS[code]) ?? code ?? String(e);
}

/** The text of `file`; `what` says what it was meant to be (`device file`). */
export function readTextFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new AccelmapError('io', `cannot read ${what}: ${fileErrorReason(e)}`, { file });
  }
}

/** The bytes of `file`; `what` says what it was meant to be (`tensor file`). */
export function readBinaryFile(file: string, what: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new AccelmapError('io', `cannot read ${what}: ${fileErrorReason(e)}`, { file });
  }
}

/** Writes `bytes` to `file`; `what` says what they are (`outputs`). */
export function writeBinaryFile(file: string, bytes: Uint8Array, what: string): void {
  try {
    writeFileSync(file, bytes);
  } catch (e) {
    throw new AccelmapError('io', `cannot write ${what}: ${fileErrorReason(e)}`, { file });
  }
}

/** Writes `text` to `file`; `what` says what it is (`HTML report`). */
export function writeTextFile(file: string, text: string, what: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new AccelmapError('io', `cannot write ${what}: ${fileErrorReason(e)}`, { file });
  }
}

/**
 * Checks up front that `file` can be written (its folder exists and is
 * writable, and it is not itself a folder), so long work is not lost to a
 * bad output path discovered at the end.
 */
export function checkWritable(file: string, what: string): void {
  try {
    const dir = dirname(resolve(file));
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
    accessSync(dir, constants.W_OK);
    const existing = statSync(file, { throwIfNoEntry: false });
    if (existing?.isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
  } catch (e) {
    throw new AccelmapError('io', `cannot write ${what}: ${fileErrorReason(e)}`, { file });
  }
}
