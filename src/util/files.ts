import { accessSync, constants, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { AccelmapError } from './errors.js';

/**
 * Reading and writing the files a user names. A file that cannot be read or
 * written is a user mistake (a wrong path, a folder, no permission): an
 * 'io' AccelmapError naming the file, never a stack trace. Outputs are
 * checked before the work that produces them starts, and written whole or
 * not at all (a temporary file beside the target, renamed into place).
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
  EVIRTUAL: 'it is inside /proc or /sys, which hold the kernel\'s views, not files',
  EEMPTY: 'the path is empty',
};

/** Why a file operation failed, in words. */
export function fileErrorReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && REASONS[code]) ?? code ?? String(e);
}

const failure = (code: string) => Object.assign(new Error(code), { code });

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

/**
 * Writes `file` whole or not at all: `write` fills a temporary file beside it
 * (same folder, so the rename is atomic), which then replaces `file`. An
 * interrupted or failed run leaves the old file (or none), never a part.
 */
export function writeAtomically(file: string, what: string, write: (temporary: string) => void): void {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    write(temporary);
    renameSync(temporary, file);
  } catch (e) {
    rmSync(temporary, { force: true });
    throw new AccelmapError('io', `cannot write ${what}: ${fileErrorReason(e)}`, { file });
  }
}

/** Writes `text` to `file` atomically; `what` says what it is (`HTML report`). */
export function writeTextFile(file: string, text: string, what: string): void {
  writeAtomically(file, what, (temporary) => writeFileSync(temporary, text));
}

/** Writes `bytes` to `file` atomically; `what` says what they are (`outputs`). */
export function writeBinaryFile(file: string, bytes: Uint8Array, what: string): void {
  writeAtomically(file, what, (temporary) => writeFileSync(temporary, bytes));
}

/**
 * Paths under /proc and /sys are the kernel's views, not places for files
 * (and Node 20's recursive mkdir loops forever there): refused, also when a
 * link leads there. `existing` is the path or its nearest existing parent.
 */
function checkNotVirtual(existing: string): void {
  const real = realpathSync(existing);
  if (['/proc', '/sys'].some((v) => real === v || real.startsWith(v + sep))) throw failure('EVIRTUAL');
}

/** The path itself when it exists, else its nearest existing parent. */
function nearestExisting(path: string): string {
  let p = resolve(path);
  while (!statSync(p, { throwIfNoEntry: false }) && dirname(p) !== p) p = dirname(p);
  return p;
}

/**
 * Checks up front that `file` can be written (not empty, its folder exists
 * and is writable, it is not itself a folder, nor under /proc or /sys), so
 * long work is not lost to a bad output path discovered at the end.
 */
export function checkWritable(file: string, what: string): void {
  try {
    if (file === '') throw failure('EEMPTY');
    checkNotVirtual(nearestExisting(file));
    const dir = dirname(resolve(file));
    if (!statSync(dir).isDirectory()) throw failure('ENOTDIR');
    accessSync(dir, constants.W_OK);
    const existing = statSync(file, { throwIfNoEntry: false });
    if (existing?.isDirectory()) throw failure('EISDIR');
  } catch (e) {
    throw new AccelmapError('io', `cannot write ${what}: ${fileErrorReason(e)}`, { file });
  }
}

/** Creates folder `dir` (and its parents) unless it exists; `what` says what goes there. Check it first (`checkWritableFolder`): Node 20's recursive mkdir never returns under /proc. */
export function makeDirectory(dir: string, what: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new AccelmapError('io', `cannot create the folder for ${what}: ${fileErrorReason(e)}`, { file: dir });
  }
}

/**
 * Checks up front that files can be written into folder `dir`, which may not
 * exist yet (it is created when written): not empty, not under /proc or
 * /sys, the nearest existing parent a writable folder.
 */
export function checkWritableFolder(dir: string, what: string): void {
  try {
    if (dir === '') throw failure('EEMPTY');
    const existing = nearestExisting(dir);
    checkNotVirtual(existing);
    if (!statSync(existing).isDirectory()) throw failure('ENOTDIR');
    accessSync(existing, constants.W_OK);
  } catch (e) {
    throw new AccelmapError('io', `cannot write ${what}: ${fileErrorReason(e)}`, { file: dir });
  }
}

/** Writes files into folder `dir` (created with its missing parents), each atomically. */
export function writeFolder(dir: string, files: { name: string; text: string }[], what: string): void {
  makeDirectory(dir, what);
  for (const f of files) writeTextFile(join(dir, f.name), f.text, what);
}
