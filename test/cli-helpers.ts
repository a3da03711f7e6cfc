import { expect } from 'vitest';
import { memoryIo } from '../src/cli/io.js';
import { run } from '../src/cli/main.js';

/** Runs the CLI in-process: the exit code, stdout as one text, stderr as lines. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const io = memoryIo();
  const code = await run(argv, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr };
}

/** Runs a command that must succeed and print JSON (pass `--json`); returns the parsed output. */
export async function cliJson(...argv: string[]) {
  const r = await cli(...argv);
  expect(r.code, r.err.join('\n')).toBe(0);
  return JSON.parse(r.out);
}

/** Runs a command that must fail as a user mistake: exit code 2 and one line on stderr, no stack trace. Returns the line. */
export async function cliError(...argv: string[]): Promise<string> {
  const r = await cli(...argv);
  expect(r.code, argv.join(' ')).toBe(2);
  expect(r.err, argv.join(' ')).toHaveLength(1);
  expect(r.err[0]).not.toMatch(/\n|\bat .*\.[jt]s\b/);
  return r.err[0]!;
}
