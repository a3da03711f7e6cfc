import { parentPort } from 'node:worker_threads';
import { runJob, type SearchJob } from './job.js';

/** Worker thread: runs search jobs posted by a WorkerPool, one at a time. */
parentPort!.on('message', (msg: { id: number; job: SearchJob; key: string }) => {
  try {
    parentPort!.postMessage({ id: msg.id, result: runJob(msg.job, msg.key) });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: e instanceof Error ? { message: e.message, code: (e as { code?: string }).code, hint: (e as { hint?: string }).hint } : { message: String(e) } });
  }
});
