import { parentPort } from 'node:worker_threads';
import { AccelmapError, isAccelmapError } from '../../src/util/errors.js';
import type { SeedFile, Target } from './corpus.js';
import { runTarget } from './targets.js';

/** One case for a worker: the reader and its files, one of them mutated. */
export interface Job {
  id: number;
  target: Target;
  files: SeedFile[];
  gemm?: boolean;
  /** Instead of a reader, misbehave on purpose (the harness's own tests): crash when the first file holds an 'X', hang, or fill the heap. */
  probe?: 'crash-on-X' | 'hang' | 'oom';
}

function probe(job: Job): string[] {
  if (job.probe === 'hang') for (;;);
  if (job.probe === 'oom') {
    const hoard: number[][] = [];
    for (;;) hoard.push(new Array(1 << 20).fill(hoard.length + 0.5));
  }
  if (job.files[0]!.data.includes(0x58)) throw new TypeError('probe: an X');
  throw new AccelmapError('bad-input', 'probe: no X', { file: job.files[0]!.name });
}

/**
 * What came of a case in the worker: accepted (with the physical properties
 * it broke, if any), refused with a clean one-line AccelmapError, or a crash
 * (any other exception). Hangs and running out of memory are seen by the
 * parent, which stops the worker.
 */
export type Reply =
  | { id: number; outcome: 'success'; violations: string[] }
  | { id: number; outcome: 'clean'; message: string }
  | { id: number; outcome: 'crash'; message: string };

function run(job: Job): Reply {
  try {
    return { id: job.id, outcome: 'success', violations: job.probe ? probe(job) : runTarget(job.target, job.files, job.gemm) };
  } catch (e) {
    if (isAccelmapError(e)) {
      const line = e.render();
      if (!line.includes('\n')) return { id: job.id, outcome: 'clean', message: line };
    }
    const text = e instanceof Error ? `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}` : `thrown: ${String(e)}`;
    return { id: job.id, outcome: 'crash', message: text };
  }
}

parentPort!.on('message', (job: Job) => parentPort!.postMessage(run(job)));
// loaded: the parent starts its clock on a case only from here
parentPort!.postMessage('ready');
