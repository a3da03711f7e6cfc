import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageRoot } from './paths.js';

/**
 * Starts a worker thread from `src/<entry>.worker.ts`: from the built package
 * it is `dist/<entry>.worker.js` (scripts/build.mjs bundles every
 * `*.worker.ts`); from the sources (tests, tsx) the .ts file, imported after
 * registering tsx's loader inside the thread. `fromSources` is whether the
 * caller itself runs from the sources.
 */
export function startWorkerThread(entry: string, fromSources: boolean): Worker {
  if (fromSources) {
    const file = pathToFileURL(join(packageRoot(), 'src', `${entry}.worker.ts`)).href;
    const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(file)}); });`;
    return new Worker(boot, { eval: true });
  }
  const built = join(packageRoot(), 'dist', `${entry}.worker.js`);
  if (!existsSync(built)) throw new Error(`worker bundle missing: ${built} (run npm run build)`);
  return new Worker(built);
}

/** An error as a worker thread posts it back: a plain object that survives the message. */
export interface PostedError {
  message: string;
  code?: string;
  hint?: string;
}

export function postedError(e: unknown): PostedError {
  return e instanceof Error ? { message: e.message, code: (e as { code?: string }).code, hint: (e as { hint?: string }).hint } : { message: String(e) };
}
