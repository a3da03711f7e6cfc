import { parentPort } from 'node:worker_threads';
import { runTask, type SearchTask } from './job.js';

/** Worker thread: runs search tasks posted by a SearchPool, one at a time; says when it has loaded. */
parentPort!.on('message', (msg: { id: number; task: SearchTask }) => {
  try {
    parentPort!.postMessage({ id: msg.id, result: runTask(msg.task) });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: e instanceof Error ? { message: e.message, code: (e as { code?: string }).code, hint: (e as { hint?: string }).hint } : { message: String(e) } });
  }
});
parentPort!.postMessage({ ready: true });
