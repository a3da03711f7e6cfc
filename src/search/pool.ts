import type { Worker } from 'node:worker_threads';
import { AccelmapError, type ErrorCode } from '../util/errors.js';
import { startWorker } from '../util/worker.js';
import { runTask, type JobOutcome, type SearchTask } from './job.js';

/**
 * Runs search tasks on worker threads (or in this thread for one thread),
 * from one queue: an idle worker takes the next task, urgent ones first.
 */
interface Pending {
  resolve(r: JobOutcome): void;
  reject(e: Error): void;
}

export class SearchPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { id: number; task: SearchTask }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(readonly threads: number) {}

  /** Workers start when there is a job for them, so a large thread count costs nothing beyond the jobs. */
  private addWorker(): void {
    const w = startWorker('search/search');
    w.on('message', (msg: { id: number; result?: JobOutcome; error?: { message: string; code?: string; hint?: string } }) => {
      const p = this.pending.get(msg.id)!;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(msg.error.code ? new AccelmapError(msg.error.code as ErrorCode, msg.error.message, {}, msg.error.hint) : new Error(msg.error.message));
      else p.resolve(msg.result!);
      this.idle.push(w);
      this.pump();
    });
    w.on('error', (e) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
    this.workers.push(w);
    this.idle.push(w);
  }

  run(task: SearchTask, urgent = false): Promise<JobOutcome> {
    if (this.threads <= 1) {
      try {
        return Promise.resolve(runTask(task));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      if (urgent) this.queue.unshift({ id, task });
      else this.queue.push({ id, task });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > this.idle.length && this.workers.length < this.threads) this.addWorker();
    while (this.idle.length > 0 && this.queue.length > 0) this.idle.pop()!.postMessage(this.queue.shift()!);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
