import type { Worker } from 'node:worker_threads';
import type { DesignEvaluator, DesignPoint, EvaluatedPoint, ExplorationContext } from '../explore/explore.js';
import { AccelmapError, type ErrorCode } from '../util/errors.js';
import type { PostedError } from '../util/posted-error.js';
import { startWorker } from '../util/worker.js';
import type { EvaluateRequest } from './evaluate.worker.js';
import { contextHash, decodeResult, type JobResult } from './jobs.js';

interface Thread {
  worker: Worker;
  /** Hashes of the contexts this thread has been sent. */
  contexts: Set<string>;
  pending?: { id: number; resolve(r: JobResult): void; reject(e: Error): void };
}

/**
 * Evaluation threads of a queue worker, one per concurrent job. A thread
 * that dies (out of memory, a crash) fails its job, which BullMQ retries, and
 * is replaced by a fresh one.
 */
export class EvaluationThreads {
  private readonly idle: Thread[] = [];
  private readonly all = new Set<Thread>();
  private readonly waiting: ((t: Thread) => void)[] = [];
  private nextId = 0;

  constructor(readonly size: number) {}

  private start(): Thread {
    const t: Thread = { worker: startWorker('queue/evaluate'), contexts: new Set() };
    t.worker.on('message', (msg: { id: number; result?: JobResult; error?: PostedError }) => {
      const p = t.pending;
      if (!p || p.id !== msg.id) return;
      t.pending = undefined;
      if (msg.error) p.reject(msg.error.code ? new AccelmapError(msg.error.code as ErrorCode, msg.error.message, {}, msg.error.hint) : new Error(msg.error.message));
      else p.resolve(msg.result!);
      this.release(t);
    });
    t.worker.on('error', (e) => {
      this.all.delete(t);
      t.pending?.reject(new Error(`evaluation thread died: ${e.message}`));
      t.pending = undefined;
      const next = this.waiting.shift();
      if (next) next(this.start());
    });
    this.all.add(t);
    return t;
  }

  private release(t: Thread): void {
    const next = this.waiting.shift();
    if (next) next(t);
    else this.idle.push(t);
  }

  private acquire(): Promise<Thread> {
    const t = this.idle.pop() ?? (this.all.size < this.size ? this.start() : undefined);
    return t ? Promise.resolve(t) : new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Evaluates a design on a free thread (waiting for one when all are busy). */
  async run(contextHash: string, context: ExplorationContext, point: DesignPoint): Promise<JobResult> {
    const t = await this.acquire();
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      t.pending = { id, resolve, reject };
      const fresh = !t.contexts.has(contextHash);
      t.contexts.add(contextHash);
      const msg: EvaluateRequest = { id, contextHash, point, ...(fresh && { context }) };
      t.worker.postMessage(msg);
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.all].map((t) => t.worker.terminate()));
    this.all.clear();
    this.idle.length = 0;
  }
}

/**
 * Designs evaluated on `size` threads of this process, one design per thread
 * at a time, each design's mapping searched in its thread alone (`explore
 * --threads n`): a queue worker's evaluation threads without the queue. A
 * design's own search is too small to share across threads at a gain (its
 * tasks are a few thousand evaluations each); designs side by side are not.
 */
export class ThreadEvaluator implements DesignEvaluator {
  private readonly threads: EvaluationThreads;

  constructor(size: number) {
    this.threads = new EvaluationThreads(size);
  }

  async evaluate(context: ExplorationContext, points: DesignPoint[], onResult: (r: EvaluatedPoint) => void): Promise<void> {
    const hash = contextHash(context);
    await Promise.all(
      points.map(async (p) => {
        const r = decodeResult(await this.threads.run(hash, context, p));
        if (!r) throw new Error(`design ${p.hash}: its evaluation thread returned no record`);
        onResult(r);
      }),
    );
  }

  close(): Promise<void> {
    return this.threads.close();
  }
}
