import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The package's root folder (where package.json and presets/ live), found by
 * walking up from this module; works from src/ (tests) and from dist/ (CLI).
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('accelmap: cannot find package.json above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  root = dir;
  return dir;
}

/** Absolute path of a file shipped under presets/. */
export function presetPath(...parts: string[]): string {
  return join(packageRoot(), 'presets', ...parts);
}
