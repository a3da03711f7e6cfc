import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type { RunLog, RunStatus } from '../store/runs.js';
import { startWorker } from '../util/worker.js';
import type { DataDir } from './data-dir.js';
import type { WorkerMessage } from './job.worker.js';
import { commandLine, type JobKind, type JobParams } from './tasks.js';

/** A job's event, as streamed to the page: a progress line, or the end. */
export type JobEvent = { type: 'progress'; message: string } | { type: 'end'; status: Exclude<RunStatus, 'running'>; error: string | null };

export interface JobInfo {
  id: string;
  kind: JobKind;
  params: JobParams;
  command: string;
  status: RunStatus | 'queued';
  /** The last progress line. */
  progress: string | null;
  error: string | null;
  started: number;
}

interface Job extends JobInfo {
  worker?: Worker;
  events: EventEmitter;
}

/**
 * Runs jobs in worker threads, at most `concurrency` at once (the rest wait
 * in order), each logged in the run log when it starts and when it ends. A
 * job is cancelled by terminating its worker.
 */
export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: Job[] = [];
  private running = 0;

  constructor(
    private readonly data: DataDir,
    private readonly runs: RunLog,
    private readonly o: { concurrency: number; threads: number; queue?: string },
  ) {}

  submit(kind: JobKind, params: JobParams): JobInfo {
    const job: Job = { id: randomUUID().replace(/-/g, ''), kind, params, command: commandLine(this.data, kind, params), status: 'queued', progress: null, error: null, started: Date.now(), events: new EventEmitter() };
    this.jobs.set(job.id, job);
    this.runs.start(job);
    this.waiting.push(job);
    this.pump();
    return info(job);
  }

  get(id: string): JobInfo | undefined {
    const j = this.jobs.get(id);
    return j && info(j);
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map(info);
  }

  /** Calls `listener` with every event from now on; returns the unsubscribe function. A job already over gets its end at once. */
  subscribe(id: string, listener: (e: JobEvent) => void): () => void {
    const j = this.jobs.get(id);
    if (!j) return () => {};
    if (j.status !== 'queued' && j.status !== 'running') {
      listener({ type: 'end', status: j.status, error: j.error });
      return () => {};
    }
    j.events.on('event', listener);
    return () => void j.events.off('event', listener);
  }

  /** Stops a queued or running job; false when there is no such job or it is already over. */
  cancel(id: string): boolean {
    const j = this.jobs.get(id);
    if (!j || (j.status !== 'queued' && j.status !== 'running')) return false;
    const i = this.waiting.indexOf(j);
    if (i >= 0) this.waiting.splice(i, 1);
    const wasRunning = j.status === 'running';
    this.end(j, 'cancelled', {});
    if (wasRunning) void j.worker?.terminate();
    return true;
  }

  /** Cancels every job (the server is stopping). */
  async close(): Promise<void> {
    const workers = [...this.jobs.values()].flatMap((j) => (j.worker && j.status === 'running' ? [j.worker] : []));
    for (const j of this.jobs.values()) this.cancel(j.id);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private pump(): void {
    while (this.running < this.o.concurrency && this.waiting.length > 0) this.launch(this.waiting.shift()!);
  }

  private launch(j: Job): void {
    j.status = 'running';
    this.running++;
    const w = startWorker('serve/job');
    j.worker = w;
    w.on('message', (m: WorkerMessage) => {
      if (j.status !== 'running') return;
      if (m.type === 'progress') {
        j.progress = m.message;
        j.events.emit('event', { type: 'progress', message: m.message } satisfies JobEvent);
      } else if (m.type === 'result') this.end(j, 'done', { result: m.result });
      else this.end(j, 'failed', { error: m.user ? m.message : `internal error: ${m.message}` });
      if (j.status !== 'running') void w.terminate();
    });
    w.on('error', (e) => this.end(j, 'failed', { error: `internal error: ${e.message}` }));
    w.on('exit', () => {
      this.running--;
      if (j.status === 'running') this.end(j, 'failed', { error: 'internal error: the job\'s worker stopped' });
      this.pump();
    });
    w.postMessage({ data: this.data, kind: j.kind, params: j.params, threads: this.o.threads, queue: this.o.queue });
  }

  private end(j: Job, status: Exclude<RunStatus, 'running'>, outcome: { result?: unknown; error?: string }): void {
    if (j.status !== 'queued' && j.status !== 'running') return;
    j.status = status;
    j.error = outcome.error ?? null;
    this.runs.finish(j.id, status, outcome);
    j.events.emit('event', { type: 'end', status, error: j.error } satisfies JobEvent);
    j.events.removeAllListeners();
  }
}

function info(j: Job): JobInfo {
  return { id: j.id, kind: j.kind, params: j.params, command: j.command, status: j.status, progress: j.progress, error: j.error, started: j.started };
}
