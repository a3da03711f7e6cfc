import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageRoot } from './paths.js';

/**
 * Starts the worker whose entry point is `src/<entry>.worker.ts` (e.g.
 * `search/search`). From the built package it is `dist/<entry>.worker.js`;
 * from the sources (tests) it is the .ts file, imported after registering
 * tsx's loader inside the worker.
 */
export function startWorker(entry: string): Worker {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const source = pathToFileURL(join(packageRoot(), 'src', `${entry}.worker.ts`)).href;
    const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
    return new Worker(boot, { eval: true });
  }
  const built = join(packageRoot(), 'dist', `${entry}.worker.js`);
  if (!existsSync(built)) throw new Error(`worker bundle missing: ${built} (run npm run build)`);
  return new Worker(built);
}
