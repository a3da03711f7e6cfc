import type { Worker } from 'node:worker_threads';
import { AccelmapError, type ErrorCode } from '../util/errors.js';
import { startWorker } from '../util/worker.js';
import { runTask, type JobOutcome, type SearchTask } from './job.js';

/**
 * Runs search tasks on `threads` threads: this one and `threads - 1` worker
 * threads, from one queue (urgent tasks first). This thread runs one task per
 * turn of its event loop, so that results from the workers and the nests'
 * next rounds come in between; meanwhile each worker holds up to
 * WORKER_DEPTH tasks, so that it never waits for this thread to hand it the
 * next. One thread searches in this thread alone. The workers start with the
 * pool (or earlier: `startSearchWorkers`) and load while this thread searches
 * already; a worker is handed tasks once it has loaded.
 */
interface Queued {
  task: SearchTask;
  resolve(r: JobOutcome): void;
  reject(e: Error): void;
}

interface WorkerMessage {
  id: number;
  result?: JobOutcome;
  error?: { message: string; code?: string; hint?: string };
}

/** Tasks a worker holds at once: the one it runs and the next. */
const WORKER_DEPTH = 2;

/** Workers started ahead of the pool that takes them (see startSearchWorkers). */
const early: Worker[] = [];

/** Workers that have loaded: only these are handed tasks, so that none sits on tasks this thread could run meanwhile. */
const loaded = new WeakSet<Worker>();

function launch(): Worker {
  const w = startWorker('search/search');
  w.on('message', (msg: { ready?: boolean }) => msg.ready && loaded.add(w));
  return w;
}

/**
 * Starts the workers of a pool of `threads` threads now, so that they load
 * while this thread prepares the work (reads the model, plans); the next
 * SearchPool takes them. Until then they do not keep the process alive, and
 * one that fails to start is dropped (the pool starts another).
 */
export function startSearchWorkers(threads: number): void {
  while (early.length < threads - 1) {
    const w = launch();
    w.unref();
    w.once('error', () => early.includes(w) && early.splice(early.indexOf(w), 1));
    early.push(w);
  }
}

class PoolWorker {
  readonly worker = early.shift() ?? launch();
  readonly held = new Map<number, Queued>();

  constructor() {
    this.worker.ref();
  }
}

export class SearchPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Queued[] = [];
  private nextId = 0;
  private turnScheduled = false;
  private closed = false;

  constructor(readonly threads: number) {
    for (let i = 1; i < threads; i++) this.addWorker();
  }

  private addWorker(): void {
    const w = new PoolWorker();
    w.worker.on('message', (msg: WorkerMessage | { ready: true }) => {
      if ('ready' in msg) return this.pump();
      const q = w.held.get(msg.id)!;
      w.held.delete(msg.id);
      if (msg.error) q.reject(msg.error.code ? new AccelmapError(msg.error.code as ErrorCode, msg.error.message, {}, msg.error.hint) : new Error(msg.error.message));
      else q.resolve(msg.result!);
      this.pump();
    });
    w.worker.on('error', (e) => {
      for (const q of w.held.values()) q.reject(e);
      w.held.clear();
    });
    this.workers.push(w);
  }

  run(task: SearchTask, urgent = false): Promise<JobOutcome> {
    return new Promise((resolve, reject) => {
      const q = { task, resolve, reject };
      if (urgent) this.queue.unshift(q);
      else this.queue.push(q);
      this.pump();
    });
  }

  /** Fills the workers up to their depth, the least loaded first, then schedules this thread's next turn. */
  private pump(): void {
    for (let depth = 1; depth <= WORKER_DEPTH; depth++) {
      for (const w of this.workers) {
        if (this.queue.length === 0) break;
        if (w.held.size >= depth || !loaded.has(w.worker)) continue;
        const q = this.queue.shift()!;
        const id = this.nextId++;
        w.held.set(id, q);
        w.worker.postMessage({ id, task: q.task });
      }
    }
    if (this.queue.length > 0 && !this.turnScheduled && !this.closed) {
      this.turnScheduled = true;
      setImmediate(() => this.turn());
    }
  }

  /** This thread's turn: one task from the queue. */
  private turn(): void {
    this.turnScheduled = false;
    const q = this.queue.shift();
    if (!q) return;
    try {
      q.resolve(runTask(q.task));
    } catch (e) {
      q.reject(e instanceof Error ? e : new Error(String(e)));
    }
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
