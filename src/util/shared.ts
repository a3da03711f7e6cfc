import { resolve } from 'node:path';
import { packageRoot } from './paths.js';

/** The shared test-data folder (`../shared` beside the checkout), or $ACCELMAP_SHARED. */
export function sharedDir(...parts: string[]): string {
  return resolve(process.env.ACCELMAP_SHARED ?? resolve(packageRoot(), '..', 'shared'), ...parts);
}
