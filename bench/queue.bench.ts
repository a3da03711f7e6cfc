// Design points per second through the BullMQ queue (explore --queue with
// 1 and 2 `accelmap worker` processes on this machine), as ratios against a
// local run of the same designs in the same process and run (three runs of
// each, interleaved; medians, with the ratio of each run); the Redis
// commands each design costs (INFO's command count over the 2-worker run);
// the sizes of a job's payload, its result and the run's context; and the
// server's own throughput (redis-benchmark), for the headroom.
// Runs against a private redis-server on loopback (skipped without one).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadLayer } from '../src/api/mapping.js';
import { evaluatePoint, explore, EXPLORE_MAPPER_DEFAULTS, type ExploreOptions } from '../src/explore/explore.js';
import { loadSpace } from '../src/explore/space.js';
import { queueCoordinator } from '../src/api/queue.js';
import { contextHash, decodeResult, encodeResult } from '../src/queue/jobs.js';
import { accelmapVersion } from '../src/util/provenance.js';
import { openStore } from '../src/store/store.js';
import { presetPath } from '../src/util/paths.js';
import { loadGraph } from '../src/workload/load.js';
import { PrivateRedis, redisServerMissing } from '../test/redis-helpers.js';
import { smallEyerissSpace } from './small-space.js';
import { medianMs } from './timing.js';

if (redisServerMissing) {
  console.log(`skipped: ${redisServerMissing}`);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'accelmap-bench-queue-'));
const DESIGNS = 48;
const space = smallEyerissSpace('bench-queue');
const layer = 'conv:K=32,C=32,P=14,Q=14,R=3,S=3';
const workloads = [{ name: layer, workload: loadLayer(layer), options: {} }];
const options: ExploreOptions = { objectives: ['latency', 'energy', 'area'], strategy: 'random', budget: DESIGNS, population: 16, seed: 1, mapper: { ...EXPLORE_MAPPER_DEFAULTS, budget: { evaluations: 300 } } };

const redis = await PrivateRedis.start();
const client = new Redis(redis.url);
/** Calls per command since the server started (INFO commandstats; commands inside BullMQ's Lua scripts included). */
const commands = async () => new Map([...(await client.info('commandstats')).matchAll(/cmdstat_([\w|]+):calls=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));

/** `accelmap worker` processes from the built CLI, resolved once each says it is taking designs. */
async function workers(n: number): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: n }, () => {
      const p = spawn(process.execPath, ['bin/accelmap.js', 'worker', '--queue', redis.url], { stdio: ['ignore', 'ignore', 'pipe'] });
      return new Promise<ChildProcess>((resolve) => p.stderr!.on('data', (b: Buffer) => b.toString().includes('taking designs') && resolve(p)));
    }),
  );
}

/** Seconds for the designs of `seed`, locally (one design of another seed first, so that the process runs warm). */
async function localRun(seed: number): Promise<{ s: number; front: string }> {
  await explore(space, workloads, { ...options, budget: 1, seed: 99 });
  const t = performance.now();
  const r = await explore(space, workloads, { ...options, seed });
  return { s: (performance.now() - t) / 1000, front: JSON.stringify(r.front) };
}

/** The same through the queue with `n` fresh worker processes (warmed the same way); also the Redis commands per design, by command. */
async function queueRun(n: number, seed: number): Promise<{ s: number; front: string; perCommand: (readonly [string, number])[] }> {
  const ps = await workers(n);
  const coordinator = await queueCoordinator(redis.url);
  try {
    await explore(space, workloads, { ...options, budget: 1, seed: 99, evaluator: coordinator });
    const before = await commands();
    const t = performance.now();
    const r = await explore(space, workloads, { ...options, seed, evaluator: coordinator });
    const s = (performance.now() - t) / 1000;
    const after = await commands();
    const perCommand = [...after].map(([c, k]) => [c, (k - (before.get(c) ?? 0)) / DESIGNS] as const).filter(([c, k]) => k > 0 && c !== 'info').sort((a, b) => b[1] - a[1]);
    return { s, front: JSON.stringify(r.front), perCommand };
  } finally {
    await coordinator.close();
    for (const p of ps) p.kill('SIGTERM');
    await Promise.all(ps.map((p) => new Promise((r) => p.once('exit', r))));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const REPS = 3;
const times: Record<string, number[]> = { local: [], '1 worker': [], '2 workers': [] };
let perCommand: (readonly [string, number])[] = [];
for (let rep = 0; rep < REPS; rep++) {
  // the three configurations interleaved, each on the same designs (seed per repetition)
  const l = await localRun(rep + 1);
  times.local!.push(l.s);
  for (const n of [1, 2]) {
    const q = await queueRun(n, rep + 1);
    if (q.front !== l.front) throw new Error(`the ${n}-worker front differs from the local one (seed ${rep + 1})`);
    times[n === 1 ? '1 worker' : '2 workers']!.push(q.s);
    perCommand = q.perCommand;
  }
}
const local = await explore(space, workloads, { ...options, budget: 1 });
const localS = median(times.local!);
console.log(`${DESIGNS} designs per run, ${REPS} runs each (median; ratios per run in brackets), mapper ${options.mapper.budget.evaluations} evaluations per nest:`);
for (const [name, ts] of Object.entries(times)) {
  const s = median(ts);
  const ratios = name === 'local' ? '' : ` = ${(localS / s).toFixed(2)}× local [${ts.map((x, i) => (times.local![i]! / x).toFixed(2)).join(', ')}]`;
  console.log(`  ${name}: ${(DESIGNS / s).toFixed(1)} designs/s${ratios}`);
}
const ops = perCommand.reduce((sum, [, k]) => sum + k, 0);
console.log(`Redis commands per design with 2 workers (all clients, inside BullMQ's scripts too): ${ops.toFixed(1)}; ${perCommand.slice(0, 8).map(([c, k]) => `${c} ${k.toFixed(1)}`).join(', ')}`);

const context = { space, workloads, mapper: options.mapper, version: accelmapVersion() };
const point = { hash: local.designs[0]!.hash, design: space.knobs.map((k) => k.values.indexOf(local.designs[0]!.knobs[k.name]!)) };
const result = await evaluatePoint(context, point, new Map());
console.log(`sizes: context ${JSON.stringify(context).length} B (written once per run), job payload ${JSON.stringify({ context: contextHash(context), ...point }).length} B, job result ${JSON.stringify(result).length} B of JSON, ${JSON.stringify(encodeResult(result)).length} B as queued (one layer)`);
const bench = spawnSync('redis-benchmark', ['-p', String(redis.port), '-q', '-n', '200000', '-c', '50', '-t', 'set,get,lpush,rpop,zadd'], { encoding: 'utf8' });
console.log(`redis-benchmark (50 clients, no pipelining) on this machine:\n${bench.stdout.replace(/\r/g, '\n').split('\n').filter((l) => /requests per second/.test(l)).map((l) => `  ${l.trim()}`).join('\n')}`);
client.disconnect();
await redis.stop();

// A job of a real run: one design of the shipped Eyeriss-like space on resnet50 + mobilenet_v2 + bert_base (default mapper settings), for the cluster estimate in docs/queue.md.
const eyeriss = loadSpace(presetPath('spaces', 'eyeriss.yaml'));
const suite = ['resnet50', 'mobilenet_v2', 'bert_base'].map((name) => ({ name, workload: loadGraph(name), options: {} }));
const real = { space: eyeriss, workloads: suite, mapper: EXPLORE_MAPPER_DEFAULTS, version: accelmapVersion() };
const design = eyeriss.knobs.map((k) => k.values.length >> 1);
let t = performance.now();
const job = await evaluatePoint(real, { hash: '0'.repeat(32), design }, new Map());
const jobS = (performance.now() - t) / 1000;
const queued = encodeResult(job);
const store = openStore(join(dir, 'store.db'));
let copy = 0;
const putMs = medianMs(() => store.put({ ...job.record, hash: String(copy++).padStart(32, '0') }), 7);
store.close();
const jsonMs = medianMs(() => JSON.parse(JSON.stringify(job)), 7);
console.log(`a real job (eyeriss space, ${suite.map((w) => w.name).join(' + ')}, mapper ${EXPLORE_MAPPER_DEFAULTS.budget.evaluations} evaluations per nest): ${jobS.toFixed(2)} s on one thread, result ${(JSON.stringify(job).length / 1024).toFixed(0)} KiB of JSON (${job.record.layers.length} layers), ${(JSON.stringify(queued).length / 1024).toFixed(0)} KiB as queued (gzip, base64; encoding it ${medianMs(() => encodeResult(job), 7).toFixed(1)} ms, decoding ${medianMs(() => decodeResult(queued), 7).toFixed(1)} ms), context ${(JSON.stringify(real).length / 1024).toFixed(0)} KiB; the coordinator's share (medians of 7): storing it ${putMs.toFixed(1)} ms, a JSON round trip of it ${jsonMs.toFixed(1)} ms`);
