import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { packageRoot } from './paths.js';

/** The shared test-data folder (`../shared` beside the checkout), or $ACCELMAP_SHARED. */
export function sharedDir(...parts: string[]): string {
  return resolve(process.env.ACCELMAP_SHARED ?? resolve(packageRoot(), '..', 'shared'), ...parts);
}

/**
 * Whether the shared test data holds `parts`. When it does not, says in one
 * line what is skipped and why; the tests that need it then skip themselves.
 */
export function hasShared(what: string, ...parts: string[]): boolean {
  const path = sharedDir(...parts);
  if (existsSync(path)) return true;
  console.log(`skipped: ${what} (no ${path}: the shared test data lies in ../shared beside the checkout, or where ACCELMAP_SHARED points)`);
  return false;
}
