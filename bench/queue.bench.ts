// Design points per second through the BullMQ queue (explore --queue with
// 1 and 2 `accelmap worker` processes on this machine), as ratios against a
// local run of the same designs in the same process and run; the Redis
// commands each design costs (INFO's command count over the 2-worker run);
// the sizes of a job's payload, its result and the run's context; and the
// server's own throughput (redis-benchmark), for the headroom.
// Runs against a private redis-server on loopback (skipped without one).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadLayer } from '../src/api/mapping.js';
import { evaluatePoint, explore, EXPLORE_MAPPER_DEFAULTS, type ExploreOptions } from '../src/explore/explore.js';
import { loadSpace } from '../src/explore/space.js';
import { QueueCoordinator } from '../src/queue/coordinator.js';
import { contextHash } from '../src/queue/jobs.js';
import { accelmapVersion } from '../src/util/provenance.js';
import { openStore } from '../src/store/store.js';
import { presetPath } from '../src/util/paths.js';
import { loadGraph } from '../src/workload/load.js';
import { PrivateRedis, redisServerMissing } from '../test/redis-helpers.js';
import { medianMs } from './timing.js';

if (redisServerMissing) {
  console.log(`skipped: ${redisServerMissing}`);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'accelmap-bench-queue-'));
const file = join(dir, 'space.yaml');
writeFileSync(
  file,
  `name: bench-queue
arch: eyeriss
knobs:
  - { name: pe_x, path: "levels[name=InputSpad].fanOut.x", values: [8, 12, 14, 16] }
  - { name: pe_y, path: "levels[name=InputSpad].fanOut.y", values: [8, 12, 16] }
  - { name: glb, path: "levels[name=GlobalBuffer].capacity", values: [16KiB, 32KiB, 64KiB, 128KiB] }
  - { name: dram_bw, path: "levels[name=DRAM].sharedBandwidth", values: [2, 4, 8] }
`,
);
const DESIGNS = 48;
const space = loadSpace(file);
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

// one design first here too, so that both sides run warm
await explore(space, workloads, { ...options, budget: 1, seed: 99 });
let t = performance.now();
const local = await explore(space, workloads, options);
const localS = (performance.now() - t) / 1000;
console.log(`local run: ${DESIGNS} designs in ${localS.toFixed(2)} s, ${(DESIGNS / localS).toFixed(1)} designs/s (one thread, mapper ${options.mapper.budget.evaluations} evaluations per nest)`);

for (const n of [1, 2]) {
  const ps = await workers(n);
  // one design first, so that each worker's thread has started and read the context before the clock runs
  const warm = await QueueCoordinator.connect(redis.url);
  await explore(space, workloads, { ...options, budget: 1, seed: 99, evaluator: warm });
  const before = await commands();
  t = performance.now();
  const r = await explore(space, workloads, { ...options, evaluator: warm });
  const s = (performance.now() - t) / 1000;
  const after = await commands();
  const perCommand = [...after].map(([c, n]) => [c, (n - (before.get(c) ?? 0)) / DESIGNS] as const).filter(([c, n]) => n > 0 && c !== 'info').sort((a, b) => b[1] - a[1]);
  const ops = perCommand.reduce((sum, [, n]) => sum + n, 0);
  await warm.close();
  if (JSON.stringify(r.front) !== JSON.stringify(local.front)) throw new Error(`the ${n}-worker front differs from the local one`);
  console.log(`${n} worker process(es): ${DESIGNS} designs in ${s.toFixed(2)} s, ${(DESIGNS / s).toFixed(1)} designs/s = ${(localS / s).toFixed(2)}× the local run; ${ops.toFixed(1)} Redis commands per design (all clients, inside scripts too): ${perCommand.slice(0, 8).map(([c, n]) => `${c} ${n.toFixed(1)}`).join(', ')}`);
  for (const p of ps) p.kill('SIGTERM');
  await Promise.all(ps.map((p) => new Promise((r) => p.once('exit', r))));
}

const context = { space, workloads, mapper: options.mapper, version: accelmapVersion() };
const point = { hash: local.designs[0]!.hash, design: space.knobs.map((k) => k.values.indexOf(local.designs[0]!.knobs[k.name]!)) };
const result = await evaluatePoint(context, point, new Map());
console.log(`sizes: context ${JSON.stringify(context).length} B (written once per run), job payload ${JSON.stringify({ context: contextHash(context), ...point }).length} B, job result ${JSON.stringify(result).length} B (one layer)`);
const bench = spawnSync('redis-benchmark', ['-p', String(redis.port), '-q', '-n', '200000', '-c', '50', '-t', 'set,get,lpush,rpop,zadd'], { encoding: 'utf8' });
console.log(`redis-benchmark (50 clients, no pipelining) on this machine:\n${bench.stdout.replace(/\r/g, '\n').split('\n').filter((l) => /requests per second/.test(l)).map((l) => `  ${l.trim()}`).join('\n')}`);
client.disconnect();
await redis.stop();

// A job of a real run: one design of the shipped Eyeriss-like space on resnet50 + mobilenet_v2 + bert_base (default mapper settings), for the cluster estimate in docs/queue.md.
const eyeriss = loadSpace(presetPath('spaces', 'eyeriss.yaml'));
const suite = ['resnet50', 'mobilenet_v2', 'bert_base'].map((name) => ({ name, workload: loadGraph(name), options: {} }));
const real = { space: eyeriss, workloads: suite, mapper: EXPLORE_MAPPER_DEFAULTS, version: accelmapVersion() };
const design = eyeriss.knobs.map((k) => k.values.length >> 1);
t = performance.now();
const job = await evaluatePoint(real, { hash: '0'.repeat(32), design }, new Map());
const jobS = (performance.now() - t) / 1000;
const store = openStore(join(dir, 'store.db'));
let copy = 0;
const putMs = medianMs(() => store.put({ ...job.record, hash: String(copy++).padStart(32, '0') }), 7);
store.close();
const jsonMs = medianMs(() => JSON.parse(JSON.stringify(job)), 7);
console.log(`a real job (eyeriss space, ${suite.map((w) => w.name).join(' + ')}, mapper ${EXPLORE_MAPPER_DEFAULTS.budget.evaluations} evaluations per nest): ${jobS.toFixed(2)} s on one thread, result ${(JSON.stringify(job).length / 1024).toFixed(0)} KiB (${job.record.layers.length} layers), context ${(JSON.stringify(real).length / 1024).toFixed(0)} KiB; the coordinator's share (medians of 7): storing it ${putMs.toFixed(1)} ms, a JSON round trip of it ${jsonMs.toFixed(1)} ms`);
