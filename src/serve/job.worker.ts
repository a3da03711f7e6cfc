import { parentPort } from 'node:worker_threads';
import { isAccelmapError } from '../index.js';
import { runJob, type JobKind, type JobParams } from './tasks.js';
import type { DataDir } from './data-dir.js';

/** What a job's worker posts: progress lines, then one result or one error. */
export type WorkerMessage = { type: 'progress'; message: string } | { type: 'result'; result: unknown } | { type: 'error'; message: string; user: boolean };

/** Worker thread: runs one job, posted by the server's JobManager. */
parentPort!.once('message', async (msg: { data: DataDir; kind: JobKind; params: JobParams; threads: number; queue?: string }) => {
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  try {
    const result = await runJob(msg.data, msg.kind, msg.params, (message) => post({ type: 'progress', message }), msg.threads, msg.queue);
    post({ type: 'result', result });
  } catch (e) {
    if (isAccelmapError(e)) post({ type: 'error', message: e.render(), user: true });
    else post({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e), user: false });
  }
});
