import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Rng } from '../../src/util/rng.js';
import type { Seed, SeedFile, Target } from './corpus.js';
import { decodeText, mutateBytes, mutateProtobuf, mutateText, mutateYaml, type Mutated } from './mutate.js';
import type { Job, Reply } from './worker.js';

/**
 * A fuzzing campaign: case k mutates a seed chosen by (seed, k) alone, so a
 * case reproduces whatever the number of workers. Cases run in worker
 * threads under a memory cap (`resourceLimits`) and a time cap; a worker
 * that runs past the time is stopped (a hang), one that exceeds its heap is
 * an out-of-memory. Every crash, hang, out-of-memory and accepted nonsense
 * (a result breaking a physical property) is minimized — parts of the
 * mutated file removed while the outcome stays the same — and written to the
 * output folder with a note saying how to replay it.
 */
export interface CampaignOptions {
  cases: number;
  seed: number;
  corpus: Record<Target, Seed[]>;
  /** Relative share of cases per reader. */
  weights?: Partial<Record<Target, number>>;
  workers?: number;
  timeMs?: number;
  memoryMb?: number;
  /** Where reproducers go; none written when absent. */
  outDir?: string;
  /** Tries per minimization (each a run of the reader). */
  minimizeTries?: number;
  onProgress?: (done: number, counts: Counts) => void;
}

export type Outcome = 'success' | 'clean' | 'crash' | 'hang' | 'oom' | 'nonsense';
export const BAD_OUTCOMES: readonly Outcome[] = ['crash', 'hang', 'oom', 'nonsense'];
export type Counts = Record<Outcome, number>;

export interface Finding {
  outcome: Outcome;
  case: number;
  seed: string;
  file: string;
  what: string;
  detail: string;
  /** Bytes of the mutated file before and after minimization. */
  bytes: number;
  minimizedBytes: number;
  reproducer?: string;
}

export interface CampaignReport {
  cases: number;
  seed: number;
  counts: Counts;
  byTarget: Record<Target, Counts>;
  /** Clean errors whose line holds control characters (terminal escapes, NUL) from the input. */
  unescaped: number;
  findings: Finding[];
  seconds: number;
}

const DEFAULT_WEIGHTS: Record<Target, number> = { onnx: 6, arch: 2, timeloop: 1, scalesim: 1 };

const emptyCounts = (): Counts => ({ success: 0, clean: 0, crash: 0, hang: 0, oom: 0, nonsense: 0 });

interface Case {
  k: number;
  target: Target;
  seed: Seed;
  /** Index of the mutated file in seed.files. */
  index: number;
  mutated: Mutated;
}

function mutateFile(f: SeedFile, rng: Rng): Mutated {
  if (f.name.endsWith('.onnx')) return rng.int(2) ? mutateProtobuf(f.data, rng) : mutateBytes(f.data, rng);
  if (/\.ya?ml$/.test(f.name)) return mutateYaml(decodeText(f.data), rng);
  return mutateText(decodeText(f.data), rng);
}

/** Case k of a campaign: one to three stacked mutations of one file of one seed. */
export function makeCase(o: Pick<CampaignOptions, 'seed' | 'corpus' | 'weights'>, k: number): Case {
  const rng = new Rng((o.seed * 1_000_003 + k) >>> 0);
  const weights = { ...DEFAULT_WEIGHTS, ...o.weights };
  const targets = (Object.keys(weights) as Target[]).filter((t) => weights[t] > 0 && o.corpus[t].length > 0);
  const total = targets.reduce((s, t) => s + weights[t], 0);
  let pick = rng.next() * total;
  const target = targets.find((t) => (pick -= weights[t]) < 0) ?? targets[targets.length - 1]!;
  const seed = o.corpus[target][rng.int(o.corpus[target].length)]!;
  const index = rng.int(seed.files.length);
  let mutated: Mutated = { data: seed.files[index]!.data, what: '' };
  const steps = 1 + (rng.int(3) === 0 ? 1 + rng.int(2) : 0);
  const whats: string[] = [];
  for (let s = 0; s < steps; s++) {
    mutated = mutateFile({ ...seed.files[index]!, data: mutated.data }, rng);
    whats.push(mutated.what);
  }
  return { k, target, seed, index, mutated: { data: mutated.data, what: whats.join('+') } };
}

function withFile(seed: Seed, index: number, data: Uint8Array): SeedFile[] {
  return seed.files.map((f, i) => (i === index ? { ...f, data } : f));
}

export interface Result {
  outcome: Outcome;
  detail: string;
}

function classify(reply: Reply): Result {
  if (reply.outcome === 'success') return reply.violations.length ? { outcome: 'nonsense', detail: reply.violations.join('; ') } : { outcome: 'success', detail: '' };
  return { outcome: reply.outcome, detail: reply.message };
}

/** Runs jobs on worker threads, one job per worker at a time, with the time and memory caps. */
export class Pool {
  private idle: Worker[] = [];
  private waiting: (() => void)[] = [];
  private nextId = 0;
  /** Workers started and not stopped. */
  private live = 0;

  constructor(
    private readonly size: number,
    private readonly timeMs: number,
    private readonly memoryMb: number,
  ) {}

  /** A new worker, once it has loaded the readers (loading does not count against a case's time). */
  private async spawn(): Promise<Worker> {
    const w = new Worker(new URL('./worker.mjs', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: this.memoryMb, maxYoungGenerationSizeMb: Math.min(64, this.memoryMb / 4) },
      stdout: true,
      stderr: true,
    });
    // readers do not print; anything they would is dropped rather than mixed into the campaign's output
    w.stdout.resume();
    w.stderr.resume();
    await new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    });
    return w;
  }

  private async acquire(): Promise<Worker> {
    const w = this.idle.pop();
    if (w) return w;
    if (this.live < this.size) {
      this.live++;
      return await this.spawn();
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.acquire();
  }

  private release(w: Worker | undefined): void {
    if (w) this.idle.push(w);
    else this.live--;
    this.waiting.shift()?.();
  }

  /** The outcome of one run; the worker is replaced after a hang, an out-of-memory or a death. */
  async run(target: Target, files: SeedFile[], gemm: boolean | undefined, probe?: Job['probe']): Promise<Result> {
    const w = await this.acquire();
    const id = this.nextId++;
    const job: Job = { id, target, files, gemm, probe };
    const timeMs = this.timeMs;
    const result = await new Promise<{ result: Result; keep: boolean }>((resolve) => {
      const done = (result: Result, keep: boolean) => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        resolve({ result, keep });
      };
      const onMessage = (r: Reply) => {
        if (r.id === id) done(classify(r), true);
      };
      const onError = (e: Error & { code?: string }) =>
        done(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? { outcome: 'oom', detail: `heap over ${this.memoryMb} MB` } : { outcome: 'crash', detail: `worker died: ${e.message}` }, false);
      const onExit = (code: number) => done({ outcome: 'crash', detail: `worker exited with code ${code}` }, false);
      const timer = setTimeout(() => done({ outcome: 'hang', detail: `no answer within ${timeMs} ms` }, false), timeMs);
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage(job);
    });
    if (!result.keep) await w.terminate();
    this.release(result.keep ? w : undefined);
    return result.result;
  }

  async close(): Promise<void> {
    await Promise.all(this.idle.map((w) => w.terminate()));
    this.idle = [];
  }
}

/** What must stay the same while minimizing: the outcome and the first line of its message with numbers and quoted text blurred. */
function signature(r: Result): string {
  const first = r.detail.split(/\n|; /)[0]!;
  return `${r.outcome}:${first.replace(/'[^']*'/g, "'…'").replace(/\d+(\.\d+)?(e[+-]?\d+)?/g, 'N').slice(0, 120)}`;
}

/** Removes ever smaller chunks (lines first for text) while the run keeps its signature. */
export async function minimize(data: Uint8Array, text: boolean, keeps: (d: Uint8Array) => Promise<boolean>, tries: number): Promise<Uint8Array> {
  let cur = data;
  let left = tries;
  const pass = async (units: number[]) => {
    // units: start offsets of removable pieces; a piece runs to the next start
    let chunk = Math.max(1, Math.floor(units.length / 2));
    while (chunk >= 1 && left > 0) {
      let removed = false;
      for (let u = 0; u + chunk <= units.length - 1 && left > 0; ) {
        const from = units[u]!;
        const to = units[u + chunk]!;
        const cand = new Uint8Array(cur.length - (to - from));
        cand.set(cur.subarray(0, from), 0);
        cand.set(cur.subarray(to), from);
        left--;
        if (await keeps(cand)) {
          cur = cand;
          const cut = to - from;
          units = [...units.slice(0, u + 1), ...units.slice(u + chunk + 1).map((x) => x - cut)];
          removed = true;
        } else u += chunk;
      }
      if (!removed) chunk = Math.floor(chunk / 2);
    }
  };
  if (text) {
    const starts = [0];
    cur.forEach((b, i) => b === 10 && starts.push(i + 1));
    if (starts[starts.length - 1] !== cur.length) starts.push(cur.length);
    await pass(starts);
  }
  const step = Math.max(1, Math.ceil(cur.length / 4096));
  const offsets: number[] = [];
  for (let i = 0; i < cur.length; i += step) offsets.push(i);
  offsets.push(cur.length);
  await pass(offsets);
  return cur;
}

export async function runCampaign(o: CampaignOptions): Promise<CampaignReport> {
  const t0 = performance.now();
  const pool = new Pool(o.workers ?? 1, o.timeMs ?? 5000, o.memoryMb ?? 512);
  const counts = emptyCounts();
  const byTarget = Object.fromEntries((Object.keys(o.corpus) as Target[]).map((t) => [t, emptyCounts()])) as Record<Target, Counts>;
  const findings: Finding[] = [];
  let unescaped = 0;
  let done = 0;
  let next = 0;
  const bad: { c: Case; r: Result }[] = [];

  const runOne = async (k: number) => {
    const c = makeCase(o, k);
    const r = await pool.run(c.target, withFile(c.seed, c.index, c.mutated.data), c.seed.gemm);
    counts[r.outcome]++;
    byTarget[c.target][r.outcome]++;
    if (r.outcome === 'clean' && /[\u0000-\u0008\u000b-\u001f\u007f]/.test(r.detail)) unescaped++;
    if (BAD_OUTCOMES.includes(r.outcome)) bad.push({ c, r });
    done++;
    if (o.onProgress && (done % 500 === 0 || done === o.cases)) o.onProgress(done, counts);
  };
  const lanes = Array.from({ length: o.workers ?? 1 }, async () => {
    while (next < o.cases) await runOne(next++);
  });
  await Promise.all(lanes);

  if (o.outDir) mkdirSync(o.outDir, { recursive: true });
  const written = new Set<string>();
  for (const { c, r } of bad) {
    const file = c.seed.files[c.index]!;
    const sig = signature(r);
    const finding: Finding = { outcome: r.outcome, case: c.k, seed: c.seed.name, file: file.name, what: c.mutated.what, detail: r.detail, bytes: c.mutated.data.length, minimizedBytes: c.mutated.data.length };
    findings.push(finding);
    // one minimized reproducer per distinct signature and seed
    if (!o.outDir || written.has(`${sig}|${c.seed.name}`)) continue;
    written.add(`${sig}|${c.seed.name}`);
    const slow = r.outcome === 'hang' || r.outcome === 'oom';
    const tries = slow ? Math.min(8, o.minimizeTries ?? 200) : (o.minimizeTries ?? 200);
    const text = !file.name.endsWith('.onnx');
    const min = await minimize(c.mutated.data, text, async (d) => signature(await pool.run(c.target, withFile(c.seed, c.index, d), c.seed.gemm)) === sig, tries);
    finding.minimizedBytes = min.length;
    const name = `${r.outcome}-${c.target}-case${c.k}-${basename(file.name)}`;
    const path = join(o.outDir, name);
    writeFileSync(path, min);
    const others = c.seed.files.filter((_, i) => i !== c.index).map((f) => `  ${f.role}: ${f.name}`);
    writeFileSync(
      `${path}.txt`,
      [
        `${r.outcome} in the ${c.target} reader (campaign seed ${o.seed}, case ${c.k})`,
        `seed input: ${c.seed.name}`,
        `mutated ${file.role} ${file.name}: ${c.mutated.what}`,
        `minimized from ${c.mutated.data.length} to ${min.length} bytes: ${name}`,
        ...(others.length ? ['read together with:', ...others] : []),
        '',
        r.detail,
        '',
      ].join('\n'),
    );
    finding.reproducer = path;
  }
  await pool.close();
  return { cases: o.cases, seed: o.seed, counts, byTarget, unescaped, findings, seconds: (performance.now() - t0) / 1000 };
}
