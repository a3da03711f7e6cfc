/**
 * How the mapper's work splits over threads, on resnet50 and mobilenet_v2
 * (eyeriss, the default search):
 *   - replayed: every distinct nest's tasks run once in this thread, each
 *     timed in CPU time; then the pool's schedule (one queue, a nest's tail
 *     first, every nest submitted at the start) is replayed on 1 and 2
 *     simulated workers with those times. The ratio is what the split allows,
 *     whatever else the machine runs (worker start-up and messages left out);
 *     beside it, the same work with whole nests as the unit (as the pool
 *     once ran it), each nest's tasks summed, on 2 workers in nest order;
 *   - wall clock: `mapGraph` on 1 and on 2 threads, as measured here (on a
 *     shared machine this moves with the other load), and the CPU time of
 *     each run, its worker threads included: the 2-thread run's extra CPU
 *     time (worker start-up, messages) with the replayed schedule's balance
 *     gives the speedup on two idle cores;
 *   - end to end: the real command, `accelmap map M --arch eyeriss --threads
 *     1|2 --json`, as a user runs it (process start, module load, graph,
 *     plan, search, output), in pairs run back to back, the order alternating
 *     from pair to pair so that a drift of the other load cancels; the median
 *     of the pairs' ratios, each run's CPU time (all its threads) and the
 *     load average beside it. The two outputs must be identical but for the
 *     command line they record;
 *   - the ceiling: two independent one-thread runs of that command side by
 *     side against one alone (twice the work in the slower one's time): the
 *     most that two cores give this work, whatever the split.
 * `npm run bench -- mapper-threads`; ACCELMAP_THREADS_MODELS=resnet50 one model,
 * ACCELMAP_THREADS_PAIRS=n pairs of end-to-end runs (default 3).
 */
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { loadArch } from '../src/arch/load.js';
import { MAP_DEFAULTS } from '../src/api/mapping.js';
import { partitions } from '../src/network/cores.js';
import { layerWork } from '../src/network/layers.js';
import { mapGraph } from '../src/network/map.js';
import { problemKey, type Problem } from '../src/problem/types.js';
import { runTask, type JobOutcome, type SearchJob, type SearchTask } from '../src/search/job.js';
import { searchNest } from '../src/search/nest.js';
import { parseObjective } from '../src/search/objective.js';
import { loadGraph } from '../src/workload/load.js';

const MODELS = (process.env.ACCELMAP_THREADS_MODELS ?? 'resnet50,mobilenet_v2').split(',');
const PAIRS = Number(process.env.ACCELMAP_THREADS_PAIRS ?? 3);
const arch = loadArch('eyeriss');
const metrics = parseObjective('edp').metrics;
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const taskKey = (key: string, t: SearchTask) => `${key}|${t.space}|${t.chain}|${t.seed}|${JSON.stringify(t.starts ?? null)}`;

/**
 * The built CLI's `map` on `threads` threads: wall seconds, and from a hook at
 * the process's exit its CPU seconds (all threads) and its main thread's (from
 * /proc, Linux; NaN elsewhere); its stdout without the command line.
 */
const CPU_AT_EXIT = `data:text/javascript,${encodeURIComponent(`
import { readFileSync } from 'node:fs';
process.on('exit', () => {
  const u = process.cpuUsage();
  let main = NaN;
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    main = (Number(f[11]) + Number(f[12])) / 100;
  } catch {}
  process.stderr.write('\\ncpu-seconds ' + (u.user + u.system) / 1e6 + ' ' + main + '\\n');
});`)}`;
interface CliRun {
  wall: number;
  cpu: number;
  mainCpu: number;
  out: string;
}
async function cliRun(model: string, threads: number): Promise<CliRun> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', CPU_AT_EXIT, 'bin/accelmap.js', 'map', model, '--arch', 'eyeriss', '--threads', String(threads), '--json', '--no-progress']);
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', (x: string) => (stdout += x));
  child.stderr.setEncoding('utf8').on('data', (x: string) => (stderr += x));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wall = (performance.now() - t0) / 1000;
  const cpu = /cpu-seconds ([\d.]+) ([\d.]+|NaN)/.exec(stderr);
  if (status !== 0 || !cpu) throw new Error(`accelmap map ${model} --threads ${threads} failed (${status}): ${stderr.trim().split('\n').slice(-3).join(' ')}`);
  return { wall, cpu: Number(cpu[1]), mainCpu: Number(cpu[2]), out: stdout.replace(/"command": "[^"]*"/, '') };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Simulated workers taking tasks from one queue (urgent ones first), in virtual time. */
class Replay {
  private now = 0;
  private readonly queue: { cost: number; done: () => void }[] = [];
  private running: { end: number; done: () => void }[] = [];

  constructor(private readonly workers: number) {}

  run(cost: number, urgent: boolean): Promise<void> {
    return new Promise((done) => (urgent ? this.queue.unshift({ cost, done }) : this.queue.push({ cost, done })));
  }

  /** Runs until no task is queued or running; returns the makespan. */
  async drain(): Promise<number> {
    for (;;) {
      await new Promise((r) => setImmediate(r));
      while (this.running.length < this.workers && this.queue.length > 0) {
        const t = this.queue.shift()!;
        this.running.push({ end: this.now + t.cost, done: t.done });
      }
      if (this.running.length === 0) return this.now;
      this.running.sort((a, b) => a.end - b.end);
      const next = this.running.shift()!;
      this.now = next.end;
      next.done();
    }
  }
}

for (const model of MODELS) {
  const nests = new Map<string, Problem>();
  for (const w of layerWork(loadGraph(model))) for (const lp of w.problems) for (const part of partitions(lp.problem, arch.cores)) nests.set(problemKey(part.problem), part.problem);
  const job = (problem: Problem): SearchJob => ({ problem, arch, dataflow: 'auto', metrics, strategy: 'hybrid', budget: { ...MAP_DEFAULTS.budget }, seed: 1 });
  const recorded = new Map<string, { outcome: JobOutcome; cpu: number }>();
  for (const [key, problem] of nests) {
    await searchNest(job(problem), key, (t) => {
      const c0 = cpuSeconds();
      const outcome = runTask(t);
      recorded.set(taskKey(key, t), { outcome, cpu: cpuSeconds() - c0 });
      return Promise.resolve(outcome);
    });
  }
  const total = [...recorded.values()].reduce((s, r) => s + r.cpu, 0);
  const makespan = async (workers: number) => {
    const replay = new Replay(workers);
    const all = [...nests].map(([key, problem]) =>
      searchNest(job(problem), key, async (t, urgent) => {
        const r = recorded.get(taskKey(key, t))!;
        await replay.run(r.cpu, urgent);
        return r.outcome;
      }),
    );
    const span = await replay.drain();
    await Promise.all(all);
    return span;
  };
  const [one, two] = [await makespan(1), await makespan(2)];
  // Whole nests on 2 workers, first come first served.
  const free = [0, 0];
  for (const key of nests.keys()) {
    let cost = 0;
    for (const [k, r] of recorded) if (k.startsWith(`${key}|`)) cost += r.cpu;
    free.sort((a, b) => a - b);
    free[0]! += cost;
  }
  const whole = Math.max(...free);
  console.log(`${model} on eyeriss: ${nests.size} nests, ${recorded.size} tasks, ${total.toFixed(2)} CPU-s; replayed makespan 1 worker ${one.toFixed(2)} s, 2 workers ${two.toFixed(2)} s: ${(one / two).toFixed(2)}× (whole nests as the unit: ${whole.toFixed(2)} s, ${(one / whole).toFixed(2)}×)`);
  // Wall clock, and CPU time of the whole process (its worker threads included): what threads add to the work.
  const wall = async (threads: number) => {
    const t0 = performance.now(), c0 = cpuSeconds();
    await mapGraph(loadGraph(model), arch, { dataflow: 'auto', metrics, strategy: 'hybrid', budget: { ...MAP_DEFAULTS.budget }, seed: 1, threads });
    return { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0 };
  };
  const [w1, w2] = [await wall(1), await wall(2)];
  console.log(`${model} on eyeriss: wall clock 1 thread ${w1.wall.toFixed(2)} s, 2 threads ${w2.wall.toFixed(2)} s: ${(w1.wall / w2.wall).toFixed(2)}× (shared machine: moves with the other load, ${loadavg()[0]!.toFixed(1)} load on ${availableParallelism()} cores)`);
  console.log(`${model} on eyeriss: CPU time 1 thread ${w1.cpu.toFixed(2)} s, 2 threads ${w2.cpu.toFixed(2)} s (all threads); spread as the replayed schedule spreads the tasks, 2 threads on 2 idle cores: ${(w1.cpu / ((two / one) * w2.cpu)).toFixed(2)}×`);
  // End to end: the command a user runs, pairs back to back, alternating which goes first.
  const pairs: { one: CliRun; two: CliRun; load: number }[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const load = loadavg()[0]!;
    const [first, second] = i % 2 === 0 ? [1, 2] : [2, 1];
    const a = await cliRun(model, first), b = await cliRun(model, second);
    const [on1, on2] = first === 1 ? [a, b] : [b, a];
    if (on1.out !== on2.out) throw new Error(`accelmap map ${model}: the output on 2 threads differs from the output on 1`);
    pairs.push({ one: on1, two: on2, load });
  }
  const runs = pairs.map((p) => `${p.one.wall.toFixed(2)}/${p.two.wall.toFixed(2)} s (CPU ${p.one.cpu.toFixed(2)}/${p.two.cpu.toFixed(2)} s, load ${p.load.toFixed(1)})`).join(', ');
  console.log(`${model} on eyeriss: end to end (accelmap map ${model} --arch eyeriss --json, 1 vs 2 threads, outputs identical): ${median(pairs.map((p) => p.one.wall / p.two.wall)).toFixed(2)}× (median of ${PAIRS} pairs' ratios; wall 1/2 threads: ${runs}; ${availableParallelism()} cores)`);
  // On two idle cores the one-thread run takes about its main thread's CPU time (V8's compiler and GC threads run beside
  // it on the other core); the two-thread run at least half its CPU time, all threads together (both cores full).
  const est = median(pairs.map((p) => p.one.mainCpu / (p.two.cpu / 2)));
  if (Number.isFinite(est)) console.log(`${model} on eyeriss: end to end from CPU times (1 thread: its main thread's CPU time; 2 threads: half the CPU time of all its threads): ${est.toFixed(2)}× on two idle cores at best (median of ${PAIRS} pairs; main-thread CPU at 1 thread ${pairs.map((p) => p.one.mainCpu.toFixed(2)).join('/')} s)`);
  // What the machine gives two of these runs at all: two independent one-thread runs at once against one alone (twice the
  // work in the slower one's time). No split of one run over two threads can beat it; one run alone already keeps the
  // other core partly busy (V8's optimizing compiler and garbage collector run beside the main thread).
  const ceilings: string[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const alone = await cliRun(model, 1);
    const both = await Promise.all([cliRun(model, 1), cliRun(model, 1)]);
    const slower = Math.max(...both.map((r) => r.wall));
    ratios.push((2 * alone.wall) / slower);
    ceilings.push(`${alone.wall.toFixed(2)} s alone, ${both.map((r) => r.wall.toFixed(2)).join(' and ')} s side by side`);
  }
  console.log(`${model} on eyeriss: ceiling, two independent one-thread runs side by side against one alone: ${median(ratios).toFixed(2)}× the throughput (median of ${PAIRS}; ${ceilings.join('; ')}; ${availableParallelism()} cores)`);
}
