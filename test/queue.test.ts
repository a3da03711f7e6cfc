import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { EXPLORE_MAPPER_DEFAULTS, explore, loadLayer, loadSpace, openStore, queueCoordinator, queueWorker, type ExploreOptions, type WorkerEvent } from '../src/index.js';
import { JOB_OPTIONS, QUEUE_NAME, contextHash, contextKey, decodeResult, jobId } from '../src/queue/jobs.js';
import { designHash } from '../src/explore/explore.js';
import { accelmapVersion } from '../src/util/provenance.js';
import { cli, cliJson } from './cli-helpers.js';
import { PrivateRedis, redisDb, redisMissing, redisServerMissing } from './redis-helpers.js';

const LAYER = 'conv:K=16,C=16,P=8,Q=8,R=3,S=3';
const SPACE = 'test/fixtures/spaces/tiny-bw.yaml';
/** A mapper budget that makes each design take a tenth of a second or more: long enough for a kill to land mid-job. */
const ARGS = [LAYER, '--space', SPACE, '--budget', '8', '--population', '4', '--map-budget', '1500', '--seed', '3', '--no-progress'];

const missing = await redisMissing();
if (missing) console.log(`skipped: the queue tests (${missing})`);

const tempDb = () => join(mkdtempSync(join(tmpdir(), 'accelmap-queue-')), 'results.db');

/** Rows per content hash, and layer rows per design. */
function storedRows(file: string): { designs: number; perHash: number[]; layersPerDesign: number[] } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const perHash = (db.prepare('SELECT count(*) AS n FROM designs GROUP BY hash ORDER BY hash').all() as { n: number }[]).map((r) => r.n);
    const layersPerDesign = (db.prepare('SELECT (SELECT count(*) FROM layers l WHERE l.hash = d.hash) AS n FROM designs d').all() as { n: number }[]).map((r) => r.n);
    return { designs: perHash.reduce((s, n) => s + n, 0), perHash, layersPerDesign };
  } finally {
    db.close();
  }
}

/** The CLI in a child process, from the sources. */
function cliProcess(...args: string[]): ChildProcess {
  const entry = `const { run } = await import(${JSON.stringify(new URL('../src/cli/main.ts', import.meta.url).href)}); process.exitCode = await run(process.argv.slice(1));`;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', entry, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

let local: Promise<{ front: unknown[] }> | undefined;
/** The local run of ARGS (once for the file). */
const localRun = () => (local ??= cliJson('explore', ...ARGS, '--json'));

const exited = (p: ChildProcess) => new Promise<number | null>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve(p.exitCode) : p.once('exit', (code) => resolve(code))));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(missing !== '')('explore on BullMQ workers', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('with three worker processes, one SIGKILLed mid-job: every design stored once, the front of a local run', async () => {
    const url = await redisDb(1);
    const localResult = await localRun();
    const workers = [0, 1, 2].map(() => cliProcess('worker', '--queue', url, '--lock', '1', '--exit-when-idle', '--idle', '1'));
    cleanup.push(async () => workers.forEach((w) => w.kill('SIGKILL')));
    const queue = new Queue(QUEUE_NAME, { connection: { url } as never });
    const events = new QueueEvents(QUEUE_NAME, { connection: { url } as never });
    cleanup.push(() => queue.close(), () => events.close());
    const stalled: string[] = [];
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    await events.waitUntilReady();
    // kill one worker while all three hold a job each
    const killer = (async () => {
      while ((await queue.getActiveCount()) < 3) await sleep(10);
      workers[0]!.kill('SIGKILL');
    })();
    const db = tempDb();
    const run = await cliJson('explore', ...ARGS, '--queue', url, '--store', db, '--json');
    await killer;
    expect(stalled.length, 'the killed worker held a job, which another worker took over').toBeGreaterThanOrEqual(1);
    expect(run.evaluated).toBe(8);
    expect(run.front).toEqual(localResult.front);
    const rows = storedRows(db);
    expect(rows.perHash).toEqual(Array(8).fill(1));
    // a conv layer per design: its layers are stored once too
    expect(rows.layersPerDesign).toEqual(Array(8).fill(1));
    expect(await Promise.all(workers.slice(1).map(exited))).toEqual([0, 0]);
    // the rerun finds every design in the store and enqueues nothing
    const again = await cliJson('explore', ...ARGS, '--queue', url, '--store', db, '--json');
    expect(again.fromStore).toBe(8);
    expect(await queue.getJobCounts('waiting', 'active', 'completed', 'failed')).toMatchObject({ waiting: 0, active: 0, completed: 0, failed: 0 });
  }, 60_000);

  it('resumes after the coordinator is SIGKILLed: designs the workers finished meanwhile are taken from Redis, none evaluated twice', async () => {
    const url = await redisDb(3);
    const localResult = await localRun();
    let evaluated = 0;
    const worker = await queueWorker(url, { concurrency: 2, onEvent: (e) => void (e.kind === 'completed' && evaluated++) });
    cleanup.push(() => worker.close());
    const db = tempDb();
    const coordinator = cliProcess('explore', ...ARGS, '--queue', url, '--store', db);
    while ((() => { try { return storedRows(db).designs; } catch { return 0; } })() < 2) await sleep(10);
    coordinator.kill('SIGKILL');
    await exited(coordinator);
    const before = storedRows(db).designs;
    expect(before, 'killed before the run ended').toBeLessThan(8);
    // the jobs it had enqueued finish without it
    const queue = new Queue(QUEUE_NAME, { connection: { url } as never });
    cleanup.push(() => queue.close());
    while ((await queue.getJobCounts('waiting', 'active')).waiting + (await queue.getActiveCount()) > 0) await sleep(20);
    const finishedMeanwhile = await queue.getCompletedCount();
    // the first generation (4 designs) was enqueued whole: what was not stored of it finished meanwhile
    if (before < 4) expect(finishedMeanwhile).toBeGreaterThanOrEqual(4 - before);
    const run = await cliJson('explore', ...ARGS, '--queue', url, '--store', db, '--json');
    expect(run.fromStore).toBe(before);
    expect(run.front).toEqual(localResult.front);
    expect(storedRows(db).perHash).toEqual(Array(8).fill(1));
    expect(evaluated, `${finishedMeanwhile} finished while no coordinator ran`).toBe(8);
  }, 60_000);

  it('retries a failed attempt after a backoff: a job whose run context is not in Redis yet completes once it is', async () => {
    const url = await redisDb(4);
    const queue = new Queue(QUEUE_NAME, { connection: { url } as never });
    cleanup.push(() => queue.close());
    const space = loadSpace('test/fixtures/spaces/tiny.yaml');
    const context = { space, workloads: [{ name: 'conv', workload: loadLayer(LAYER), options: {} }], mapper: { ...EXPLORE_MAPPER_DEFAULTS, budget: { evaluations: 40 } }, version: accelmapVersion() };
    const payload = { context: contextHash(context), hash: designHash(context, [1, 0, 1]), design: [1, 0, 1] };
    await queue.add('design', payload, { ...JOB_OPTIONS, jobId: jobId(payload) });
    const seen: WorkerEvent[] = [];
    const worker = await queueWorker(url, { onEvent: (e) => seen.push(e) });
    cleanup.push(() => worker.close());
    while (!seen.some((e) => e.kind === 'failed')) await sleep(20);
    expect(seen).toEqual([{ kind: 'failed', jobId: jobId(payload), final: false, reason: `the context ${payload.context} is not in Redis` }]);
    await (await queue.client).set(contextKey(payload.context), JSON.stringify(context));
    const retried = performance.now();
    while (!seen.some((e) => e.kind === 'completed')) await sleep(20);
    expect((performance.now() - retried) / 1000, 'the first backoff is 1 s').toBeLessThan(3);
    const job = await queue.getJob(jobId(payload));
    expect(job?.attemptsMade).toBe(2);
    const result = decodeResult(job?.returnvalue);
    expect(result?.record).toMatchObject({ hash: payload.hash, knobs: { pe_x: 14, glb: '32KiB', clock: '400MHz' }, status: 'ok' });
  }, 60_000);

  it('moves a malformed job to the failed set with one clear error, and the worker goes on', async () => {
    const url = await redisDb(2);
    const queue = new Queue(QUEUE_NAME, { connection: { url } as never });
    cleanup.push(() => queue.close());
    await queue.add('design', { context: 'nope', design: [0, 'x'] }, { jobId: 'malformed', attempts: 3 });
    const seen: WorkerEvent[] = [];
    const worker = await queueWorker(url, { exitWhenIdle: true, idleSeconds: 3, onEvent: (e) => seen.push(e) });
    while (!seen.some((e) => e.kind === 'failed')) await sleep(20);
    const failed = seen.filter((e) => e.kind === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ kind: 'failed', jobId: 'malformed', final: true });
    expect((failed[0] as { reason: string }).reason).toMatch(/^malformed payload \(context: .*; hash: .*; design\.1: .*\)$/);
    const job = (await queue.getFailed()).find((j) => j.id === 'malformed');
    expect(job?.attemptsMade, 'not retried').toBe(1);
    // the same worker evaluates a run's designs afterwards
    const space = loadSpace('test/fixtures/spaces/tiny.yaml');
    const workloads = [{ name: 'conv', workload: loadLayer(LAYER), options: {} }];
    const options: ExploreOptions = { objectives: ['latency', 'energy'], strategy: 'nsga2', budget: 4, population: 2, seed: 2, mapper: { ...EXPLORE_MAPPER_DEFAULTS, budget: { evaluations: 40 } } };
    const coordinator = await queueCoordinator(url);
    const r = await explore(space, workloads, { ...options, evaluator: coordinator }).finally(() => coordinator.close());
    expect(r).toEqual(await explore(space, workloads, options));
    // a well-formed job of that run whose hash is not its design's
    const context = contextHash({ space, workloads, mapper: options.mapper, version: accelmapVersion() });
    await queue.add('design', { context, hash: 'f'.repeat(32), design: [0, 0, 0] }, { jobId: 'forged' });
    while (seen.filter((e) => e.kind === 'failed').length < 2) await sleep(20);
    expect(seen.filter((e) => e.kind === 'failed')[1]).toEqual({ kind: 'failed', jobId: 'forged', final: true, reason: `design ${'f'.repeat(32)} is not the content hash of knobs [0,0,0] in its run` });
    expect(await worker.done).toEqual({ completed: 4, failed: 2 });
  }, 60_000);
});

describe.skipIf(redisServerMissing !== '')('explore when Redis goes away', () => {
  if (redisServerMissing) console.log(`skipped: the Redis restart tests (${redisServerMissing})`);
  const space = loadSpace(SPACE);
  const workloads = [{ name: 'conv', workload: loadLayer(LAYER), options: {} }];
  const options: ExploreOptions = { objectives: ['latency', 'energy', 'area'], strategy: 'nsga2', budget: 8, population: 4, seed: 3, mapper: { ...EXPLORE_MAPPER_DEFAULTS, budget: { evaluations: 1500 } } };
  let local: ReturnType<typeof explore> | undefined;
  /** The local run of `options` (once for the two tests). */
  const localRun = () => (local ??= explore(space, workloads, options));

  it('completes when Redis restarts empty mid-run: lost jobs are enqueued again, nothing is stored twice', async () => {
    const redis = await PrivateRedis.start();
    const file = tempDb();
    const store = openStore(file);
    const lines: string[] = [];
    const workers = await Promise.all([0, 1].map(() => queueWorker(redis.url, { lockSeconds: 2 })));
    const coordinator = await queueCoordinator(redis.url, { checkSeconds: 1, onEvent: (e) => lines.push(e.kind) });
    try {
      const restarted = (async () => {
        while (storedRows(file).designs < 2) await sleep(10);
        await redis.down();
        await sleep(300);
        await redis.up();
      })();
      const r = await explore(space, workloads, { ...options, store, evaluator: coordinator });
      await restarted;
      expect(lines).toContain('lost');
      expect(lines).toContain('back');
      // the jobs out when the server died were lost with it, and sent again
      expect(lines).toContain('requeued');
      expect(r.front).toEqual((await localRun()).front);
      expect(storedRows(file).perHash).toEqual(Array(8).fill(1));
    } finally {
      store.close();
      await coordinator.close();
      await Promise.all(workers.map((w) => w.close()));
      await redis.stop();
    }
  }, 60_000);

  it('stops with one clear line when Redis stays away, keeping every stored design; a rerun resumes', async () => {
    const redis = await PrivateRedis.start();
    const file = tempDb();
    const store = openStore(file);
    const worker = await queueWorker(redis.url, { lockSeconds: 2 });
    const coordinator = await queueCoordinator(redis.url, { giveUpSeconds: 1 });
    let before = 0;
    try {
      const gone = (async () => {
        while ((before = storedRows(file).designs) < 2) await sleep(10);
        await redis.down();
      })();
      const e = await explore(space, workloads, { ...options, store, evaluator: coordinator }).then(() => undefined, (e: unknown) => e);
      await gone;
      expect(String(e)).toMatch(/^AccelmapError: lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ for 1 s; every design stored so far is kept$/);
      const kept = storedRows(file);
      expect(kept.designs).toBeGreaterThanOrEqual(before);
      expect(kept.designs).toBeLessThan(8);
      await redis.up();
      const again = await queueCoordinator(redis.url);
      const r = await explore(space, workloads, { ...options, store, evaluator: again }).finally(() => again.close());
      expect(r.fromStore).toBe(kept.designs);
      expect(r.front).toEqual((await localRun()).front);
      expect(storedRows(file).perHash).toEqual(Array(8).fill(1));
    } finally {
      store.close();
      await coordinator.close();
      await worker.close();
      await redis.stop();
    }
  }, 60_000);
});

describe('the queue flags', () => {
  it('refuses a URL that is not Redis, and --threads with --queue, in one line', async () => {
    const bad = await cli('explore', ...ARGS, '--queue', 'http://x:1');
    expect(bad.code).toBe(2);
    expect(bad.err).toEqual(["accelmap: --queue 'http://x:1' is not a Redis URL — write redis://HOST:PORT, or rediss://HOST:PORT for TLS"]);
    const both = await cli('explore', ...ARGS, '--queue', 'redis://127.0.0.1:1', '--threads', '2');
    expect(both.err).toEqual(['accelmap: --threads sets the threads of a local run; with --queue each worker sets its own — give the workers --concurrency instead']);
    const down = await cli('worker', '--queue', 'redis://:secret@127.0.0.1:1');
    expect(down.code).toBe(2);
    expect(down.err).toHaveLength(1);
    expect(down.err[0]).toMatch(/^accelmap: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED.* — start redis-server there/);
  }, 30_000);
});
