import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DesignEvaluator, DesignPoint, EvaluatedPoint, ExplorationContext } from '../explore/explore.js';
import { AccelmapError } from '../util/errors.js';
import { CONTEXT_TTL_SECONDS, EVENTS_KEPT, JOB_OPTIONS, QUEUE_NAME, contextHash, contextKey, decodeResult, jobId, type JobPayload, type JobResult } from './jobs.js';
import { connect, redisClient, watchConnection, type ConnectionWatch } from './redis.js';
import { redacted } from './url.js';

/** What the coordinator tells about the queue as it goes (plain data; the CLI writes it as lines on stderr). */
export type CoordinatorEvent =
  | { kind: 'lost'; reason: string; giveUpSeconds: number }
  | { kind: 'back' }
  /** Jobs that had vanished from Redis (a server restarted without its data) were enqueued again. */
  | { kind: 'requeued'; jobs: number }
  /** Jobs that had failed in an earlier run were sent back to the workers. */
  | { kind: 'retried'; jobs: number };

export interface QueueCoordinatorOptions {
  /** Seconds between checks of every job still out (default 5). Completions arrive as events; the checks find what events cannot tell, such as jobs lost with a Redis restart. */
  checkSeconds?: number;
  /** Seconds without a connection after which the run stops (default 60). */
  giveUpSeconds?: number;
  onEvent?: (e: CoordinatorEvent) => void;
}

/**
 * The coordinator's side of a distributed exploration: a `DesignEvaluator`
 * that enqueues each generation's designs as BullMQ jobs and hands back their
 * records as the workers finish them.
 *
 * - A job's id is the design's content hash (with its context's), so a point
 *   already in the queue is not added again, and a restarted coordinator
 *   finds the jobs of its previous run: finished ones are taken as they are,
 *   failed ones are retried.
 * - A record is removed from Redis once `explore` has it (it is then in the
 *   store): Redis holds only the work in flight.
 * - Jobs missing from Redis (a server restarted without persistence) are
 *   enqueued again, and the run's context is written again.
 */
export class QueueCoordinator implements DesignEvaluator {
  private context?: { hash: string; json: string };

  private constructor(
    readonly url: string,
    private readonly client: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly eventsClient: Redis,
    private readonly watch: ConnectionWatch,
    private readonly o: Required<Omit<QueueCoordinatorOptions, 'onEvent'>> & QueueCoordinatorOptions,
  ) {}

  /** Connects to the Redis server at `url` (an error naming it when it cannot be reached). */
  static async connect(url: string, options: QueueCoordinatorOptions = {}): Promise<QueueCoordinator> {
    const o = { checkSeconds: 5, giveUpSeconds: 60, ...options };
    const client = await connect(url);
    const watch = watchConnection(client, { onLost: (reason) => o.onEvent?.({ kind: 'lost', reason, giveUpSeconds: o.giveUpSeconds }), onBack: () => o.onEvent?.({ kind: 'back' }) });
    const queue = new Queue(QUEUE_NAME, { connection: client, streams: { events: { maxLen: EVENTS_KEPT } } });
    const eventsClient = redisClient(url);
    const events = new QueueEvents(QUEUE_NAME, { connection: eventsClient });
    // connection errors are followed by the watch; BullMQ's own copies of them go no further
    queue.on('error', () => {});
    events.on('error', () => {});
    await events.waitUntilReady();
    return new QueueCoordinator(url, client, queue, events, eventsClient, watch, o);
  }

  private async writeContext(context: ExplorationContext): Promise<string> {
    if (this.context?.json === undefined || this.context.hash !== contextHash(context)) this.context = { hash: contextHash(context), json: JSON.stringify(context) };
    await this.client.set(contextKey(this.context.hash), this.context.json, 'EX', CONTEXT_TTL_SECONDS);
    return this.context.hash;
  }

  async evaluate(context: ExplorationContext, points: DesignPoint[], onResult: (r: EvaluatedPoint) => void): Promise<void> {
    const ctx = await this.writeContext(context);
    const pending = new Map<string, JobPayload>();
    for (const p of points) {
      const payload = { context: ctx, hash: p.hash, design: p.design };
      pending.set(jobId(payload), payload);
    }
    const add = (ids: string[]) => this.queue.addBulk(ids.map((id) => ({ name: 'design', data: pending.get(id)!, opts: { ...JOB_OPTIONS, jobId: id } })));
    await add([...pending.keys()]);

    return new Promise<void>((resolve, reject) => {
      let finished = false;
      const stop = (e?: Error) => {
        if (finished) return;
        finished = true;
        clearInterval(checks);
        clearInterval(giveUp);
        this.events.off('completed', onEvent);
        this.events.off('failed', onEvent);
        this.client.off('ready', onBack);
        if (e) reject(e);
        else resolve();
      };
      /** Looks at one job: takes its record when it is done, stops the run when it has failed for good, re-adds it when Redis lost it. */
      const check = async (id: string, firstLook = false): Promise<'missing' | 'retried' | undefined> => {
        const job = await Job.fromId<JobPayload, JobResult>(this.queue, id);
        const payload = pending.get(id);
        if (!payload || finished) return;
        if (!job) {
          await add([id]);
          return 'missing';
        }
        if (!job.finishedOn) return;
        // a finished job holds a record when it completed (a processor never returns null), none when it failed for good
        const state = job.returnvalue ? 'completed' : 'failed';
        if (state === 'failed' && firstLook) {
          await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          return 'retried';
        }
        if (state === 'failed') return stop(new AccelmapError('io', `design ${payload.hash} failed on the workers after ${job.attemptsMade} attempt(s): ${job.failedReason}`, {}, 'see the worker logs; run the same command again to retry it')), undefined;
        if (!pending.delete(id)) return;
        const r = decodeResult(job.returnvalue);
        if (r?.record?.hash !== payload.hash) return stop(new Error(`job ${id} returned no record of design ${payload.hash}`)), undefined;
        onResult(r);
        await job.remove().catch(() => {});
        if (pending.size === 0) stop();
      };
      const checkAll = async (firstLook = false) => {
        try {
          const seen = await Promise.all([...pending.keys()].map((id) => check(id, firstLook)));
          const requeued = seen.filter((s) => s === 'missing').length, retried = seen.filter((s) => s === 'retried').length;
          if (requeued > 0) this.o.onEvent?.({ kind: 'requeued', jobs: requeued });
          if (retried > 0) this.o.onEvent?.({ kind: 'retried', jobs: retried });
        } catch (e) {
          if (this.watch.downFor() === 0 && !(e instanceof Error && /Connection is closed|ECONNREFUSED|ECONNRESET/.test(e.message))) stop(e instanceof Error ? e : new Error(String(e)));
        }
      };
      const onEvent = ({ jobId: id }: { jobId: string }) => {
        if (pending.has(id)) void check(id).catch(() => {});
      };
      const onBack = () => void this.writeContext(context).then(() => checkAll(), () => {});
      this.events.on('completed', onEvent);
      this.events.on('failed', onEvent);
      this.client.on('ready', onBack);
      const checks = setInterval(() => void checkAll(), this.o.checkSeconds * 1000);
      const giveUp = setInterval(() => {
        if (this.watch.downFor() < this.o.giveUpSeconds) return;
        stop(new AccelmapError('io', `lost the connection to Redis at ${redacted(this.url)} for ${this.o.giveUpSeconds} s; every design stored so far is kept`, {}, 'start Redis again and run the same command to resume'));
      }, 1000);
      void checkAll(true);
    });
  }

  /** Closes the connections (without waiting on a server that is gone). */
  async close(): Promise<void> {
    this.watch.stop();
    const closing = Promise.allSettled([this.events.close(), this.queue.close()]);
    await Promise.race([closing, new Promise((r) => setTimeout(r, 2000).unref())]);
    this.client.disconnect();
    this.eventsClient.disconnect();
  }
}
