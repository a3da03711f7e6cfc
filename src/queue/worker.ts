import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { designHash, type ExplorationContext } from '../explore/explore.js';
import { AccelmapError } from '../util/errors.js';
import { accelmapVersion } from '../util/provenance.js';
import { JOB_OPTIONS, QUEUE_NAME, contextKey, jobPayload, type JobPayload, type JobResult } from './jobs.js';
import { connect, watchConnection } from './redis.js';
import { redacted } from './url.js';
import { EvaluationThreads } from './threads.js';

export interface QueueWorkerOptions {
  /** Designs evaluated side by side, each on its own thread (default 1). */
  concurrency?: number;
  /** Stop once the queue has had nothing waiting, running or delayed for `idleSeconds`. */
  exitWhenIdle?: boolean;
  /** Default 5. */
  idleSeconds?: number;
  /**
   * Seconds a job stays locked to this worker without a renewal (default 30).
   * The lock is renewed every half of it from the main thread, which
   * evaluations leave free, so it need not cover a job's length; it is how
   * long a job of a worker that died waits before another worker takes it.
   */
  lockSeconds?: number;
  /** With `exitWhenIdle`: stop after this many seconds without a connection (default 60). Without it the worker waits for Redis as long as it takes. */
  giveUpSeconds?: number;
  onEvent?: (e: WorkerEvent) => void;
}

/** What a worker tells as it goes (plain data; the CLI writes it as lines on stderr). */
export type WorkerEvent =
  | { kind: 'completed'; hash: string; seconds: number }
  /** `final`: moved to the failed set (malformed, refused or out of attempts); otherwise retried after a backoff. */
  | { kind: 'failed'; jobId: string; reason: string; final: boolean }
  | { kind: 'lost'; reason: string }
  | { kind: 'back' }
  | { kind: 'idle'; seconds: number };

export interface WorkerSummary {
  completed: number;
  failed: number;
}

export interface QueueWorker {
  /** Settles when the worker stops: once idle with `exitWhenIdle`, after `close()`, or with an error when the connection is gone for good. */
  done: Promise<WorkerSummary>;
  /** Finishes the jobs under way, then stops. */
  close(): Promise<void>;
}

const issues = (e: { issues: { path: PropertyKey[]; message: string }[] }) => e.issues.map((i) => `${i.path.map(String).join('.') || 'payload'}: ${i.message}`).join('; ');

/** A run's context as the coordinator wrote it: read once per worker, kept for the next jobs. */
function contextReader(client: Redis): (hash: string) => Promise<ExplorationContext> {
  const known = new Map<string, ExplorationContext>();
  return async (hash) => {
    const hit = known.get(hash);
    if (hit) return hit;
    const json = await client.get(contextKey(hash));
    // a retry finds it once the coordinator has written it again (after a Redis restart)
    if (json === null) throw new Error(`the context ${hash} is not in Redis`);
    const context = JSON.parse(json) as ExplorationContext;
    if (known.size >= 4) known.clear();
    known.set(hash, context);
    return context;
  };
}

/**
 * Takes design points off the queue and evaluates them, each on a thread of
 * its own, returning each design's record to the coordinator. A malformed
 * payload, a design from another accelmap version, or one whose content hash
 * does not match its knobs fails at once and goes to the failed set; other
 * errors are retried with backoff.
 */
export async function startQueueWorker(url: string, options: QueueWorkerOptions = {}): Promise<QueueWorker> {
  const o = { concurrency: 1, exitWhenIdle: false, idleSeconds: 5, lockSeconds: 30, giveUpSeconds: 60, ...options };
  const client = await connect(url);
  const contextOf = contextReader(client);
  const threads = new EvaluationThreads(o.concurrency);
  const summary: WorkerSummary = { completed: 0, failed: 0 };

  const processor = async (job: Job): Promise<JobResult> => {
    const parsed = jobPayload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`malformed payload (${issues(parsed.error)})`);
    const p: JobPayload = parsed.data;
    const context = await contextOf(p.context);
    if (p.design.length !== context.space.knobs.length || p.design.some((v, i) => v >= context.space.knobs[i]!.values.length)) throw new UnrecoverableError(`design [${p.design.join(',')}] is not a point of space '${context.space.name}'`);
    if (context.version !== accelmapVersion()) throw new UnrecoverableError(`design ${p.hash} comes from accelmap ${context.version}, this worker runs ${accelmapVersion()}: run the same version on every machine`);
    if (designHash(context, p.design) !== p.hash) throw new UnrecoverableError(`design ${p.hash} is not the content hash of knobs [${p.design.join(',')}] in its run`);
    try {
      return await threads.run(p.context, context, { hash: p.hash, design: p.design });
    } catch (e) {
      // a user-level error (an invalid design) gives the same answer on every attempt
      if (e instanceof AccelmapError) throw new UnrecoverableError(e.message);
      throw e;
    }
  };

  const lockMs = o.lockSeconds * 1000;
  const worker = new Worker(QUEUE_NAME, processor, { connection: client, concurrency: o.concurrency, lockDuration: lockMs, stalledInterval: lockMs / 2, maxStalledCount: 2, autorun: false });
  const counts = new Queue(QUEUE_NAME, { connection: client });
  counts.on('error', () => {});
  const started = new Map<string, number>();
  worker.on('active', (job) => started.set(job.id!, performance.now()));
  worker.on('completed', (job) => {
    summary.completed++;
    o.onEvent?.({ kind: 'completed', hash: (job.data as JobPayload).hash, seconds: (performance.now() - (started.get(job.id!) ?? performance.now())) / 1000 });
    started.delete(job.id!);
  });
  worker.on('failed', (job, e) => {
    const final = e instanceof UnrecoverableError || e.name === 'UnrecoverableError' || (job !== undefined && job.attemptsMade >= (job.opts.attempts ?? JOB_OPTIONS.attempts));
    if (final) summary.failed++;
    if (job) started.delete(job.id!);
    o.onEvent?.({ kind: 'failed', jobId: job?.id ?? '?', reason: e.message, final });
  });
  // connection errors are followed by the watch
  worker.on('error', () => {});
  const watch = watchConnection(client, { onLost: (reason) => o.onEvent?.({ kind: 'lost', reason }), onBack: () => o.onEvent?.({ kind: 'back' }) });

  let stopping: Promise<void> | undefined;
  let settle!: (e?: Error) => void;
  const done = new Promise<WorkerSummary>((resolve, reject) => (settle = (e) => (e ? reject(e) : resolve(summary))));
  const close = (e?: Error) =>
    (stopping ??= (async () => {
      clearInterval(idleTimer);
      watch.stop();
      const closing = Promise.allSettled([worker.close(), counts.close()]);
      // without a connection, BullMQ cannot finish closing: wait for it only so long
      await (e ? Promise.race([closing, new Promise((r) => setTimeout(r, 2000).unref())]) : closing);
      await threads.close();
      client.disconnect();
      settle(e);
    })());

  let idleSince = performance.now();
  const idleTimer = setInterval(() => {
    if (!o.exitWhenIdle) return;
    if (watch.downFor() >= o.giveUpSeconds) {
      void close(new AccelmapError('io', `lost the connection to Redis at ${redacted(url)} for ${o.giveUpSeconds} s`, {}, 'start Redis again and restart the worker'));
      return;
    }
    if (watch.downFor() > 0) return;
    counts
      .getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused')
      .then((c) => {
        if (Object.values(c).some((n) => n > 0) || started.size > 0) idleSince = performance.now();
        else if ((performance.now() - idleSince) / 1000 >= o.idleSeconds) {
          o.onEvent?.({ kind: 'idle', seconds: o.idleSeconds });
          void close();
        }
      })
      .catch(() => {});
  }, 1000);
  void worker.run().catch((e: Error) => close(e));
  return { done, close: () => close() };
}
