import { AccelmapError, isAccelmapError } from '../util/errors.js';
import { checkWritable, checkWritableFolder } from '../util/files.js';
import { parseBytes } from '../util/units.js';

/**
 * Flag value parsers for commander options: each turns a bad value into one
 * clear line naming the flag (exit code 2).
 */
function badFlag(flag: string, value: string, expected: string): AccelmapError {
  return new AccelmapError('bad-flag', `${flag} '${value}' is not ${expected}`);
}

export function positiveInt(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw badFlag(flag, value, 'a positive integer');
    return n;
  };
}

/**
 * Most worker threads: each holds its own cost model and search state, and
 * more workers than cores only cost memory (results do not depend on the
 * count), so a count past any real machine's cores is refused before a
 * worker starts.
 */
export const MAX_THREADS = 256;

export function threadsFlag(value: string): number {
  const n = positiveInt('--threads')(value);
  if (n > MAX_THREADS) throw new AccelmapError('bad-flag', `--threads ${n} is more than the ${MAX_THREADS} worker threads accelmap starts`, {}, 'use at most one per core of this machine');
  return n;
}

export function nonNegativeInt(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw badFlag(flag, value, 'a non-negative integer');
    return n;
  };
}

export function positiveNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw badFlag(flag, value, 'a positive number');
    return n;
  };
}

export function nonNegativeNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw badFlag(flag, value, 'a number ≥ 0');
    return n;
  };
}

export function fraction(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !(n > 0 && n <= 1)) throw badFlag(flag, value, 'a fraction in (0, 1]');
    return n;
  };
}

export function oneOf<T extends string>(flag: string, allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value)) throw new AccelmapError('bad-flag', `${flag} '${value}' is not one of ${allowed.join(', ')}`);
    return value as T;
  };
}

export function bytesFlag(flag: string): (value: string) => number {
  return (value) => {
    try {
      return parseBytes(value, flag);
    } catch {
      throw badFlag(flag, value, 'a size such as 12GB, 512MiB or 108KB');
    }
  };
}

/** Repeatable `--dim name=value`, collected into a record. */
export function dimFlag(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const m = /^([^=]+)=(\d+)$/.exec(value.trim());
  if (!m || Number(m[2]) < 1) throw new AccelmapError('bad-flag', `--dim '${value}' is not name=positive-integer`, {}, 'e.g. --dim seq=128');
  return { ...previous, [m[1]!]: Number(m[2]) };
}

/**
 * An output file flag (`--out`, `--trace`): checked when the flags are read,
 * before any work, by the one check every command's outputs go through.
 */
export function outputFile(flag: string, what: string): (value: string) => string {
  return (value) => {
    outputCheck(flag, () => checkWritable(value, what));
    return value;
  };
}

/** An output folder flag (`systolic --csv`), checked the same way. */
export function outputFolder(flag: string, what: string): (value: string) => string {
  return (value) => {
    outputCheck(flag, () => checkWritableFolder(value, what));
    return value;
  };
}

function outputCheck(flag: string, check: () => void): void {
  try {
    check();
  } catch (e) {
    throw isAccelmapError(e) ? new AccelmapError('bad-flag', e.message, { ...e.location, path: flag }, e.hint) : e;
  }
}
