import { printable } from '../util/printable.js';
import { provenance } from '../util/provenance.js';

/** Where a command writes: results to `out` (stdout), progress and warnings to `err` (stderr). */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => void process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
};

/** A warning about an input, on one line with what came from the file escaped (`printable`). */
export function warn(io: Io, text: string): void {
  io.err(`accelmap: warning: ${printable(text)}`);
}

/** Collects output in memory (tests). */
export function memoryIo(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t) };
}

/**
 * Stable JSON for machines: two-space indented, Infinity written as null. An
 * object result starts with `accelmap: {version, command}` (what made it);
 * `stamp: false` leaves it out (files in another tool's format).
 */
export function toJson(value: unknown, { stamp = true } = {}): string {
  const stamped = stamp && value !== null && typeof value === 'object' && !Array.isArray(value) ? { accelmap: provenance(), ...value } : value;
  return JSON.stringify(stamped, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}
