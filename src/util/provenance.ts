import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './paths.js';

/**
 * What made a result: accelmap's version and, when it ran from the command
 * line, the command. The CLI records its command line once (`setCommand`);
 * every JSON output and HTML report carries the stamp, so results stay
 * traceable.
 */
export interface Provenance {
  version: string;
  /** The command line, shell-quoted; absent when accelmap runs as a library. */
  command?: string;
}

let version: string | undefined;
let command: string | undefined;

/** accelmap's version, from its package.json. */
export function accelmapVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}

const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

export function setCommand(argv: readonly string[]): void {
  command = ['accelmap', ...argv].map(quote).join(' ');
}

export function provenance(): Provenance {
  return command === undefined ? { version: accelmapVersion() } : { version: accelmapVersion(), command };
}

/** One line: `accelmap 0.1.0 · accelmap map resnet50 --arch eyeriss`. */
export function provenanceLine(): string {
  const p = provenance();
  return `accelmap ${p.version}${p.command ? ` · ${p.command}` : ''}`;
}
