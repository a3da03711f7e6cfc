import { printable } from './printable.js';

/**
 * User mistakes (bad file, bad flag, impossible constraint) are AccelmapErrors:
 * data with a code, a location and a hint, rendered as one line at the edge
 * (the CLI prints it and exits with code 2). Bugs are plain Errors.
 */
export type ErrorCode =
  | 'bad-flag'
  | 'bad-input'
  | 'bad-file'
  | 'bad-spec'
  | 'unknown-model'
  | 'unknown-op'
  | 'unsupported'
  | 'shape'
  | 'infeasible'
  | 'io';

export interface ErrorLocation {
  /** File the problem is in, when there is one. */
  file?: string;
  line?: number;
  col?: number;
  /** Field path inside the file or object, e.g. `arch.levels[2].capacity`, or a node name. */
  path?: string;
}

export class AccelmapError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, location: ErrorLocation = {}, hint?: string) {
    super(message);
    this.name = 'AccelmapError';
    this.code = code;
    this.location = location;
    this.hint = hint;
  }

  /** A copy of this error with more location filled in (inner fields win). */
  at(location: ErrorLocation): AccelmapError {
    return new AccelmapError(this.code, this.message, { ...location, ...this.location }, this.hint);
  }

  /**
   * `file:line:col path: message — hint`, on one line, with whatever came
   * from a file escaped (`printable`).
   */
  render(): string {
    const { file, line, col, path } = this.location;
    let where = '';
    if (file) where = file + (line !== undefined ? `:${line}` + (col !== undefined ? `:${col}` : '') : '');
    if (path) where = where ? `${where} ${path}` : path;
    const text = (where ? `${where}: ` : '') + this.message + (this.hint ? ` — ${this.hint}` : '');
    return printable(text.replace(/\s*\n\s*/g, ' '));
  }
}

export function isAccelmapError(e: unknown): e is AccelmapError {
  return e instanceof AccelmapError;
}

/** Throws a 'bad-input' AccelmapError unless `cond` holds. */
export function check(cond: unknown, message: string, location: ErrorLocation = {}, hint?: string): asserts cond {
  if (!cond) throw new AccelmapError('bad-input', message, location, hint);
}
