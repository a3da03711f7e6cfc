/**
 * Mapper quality in the default space (`--dataflow auto`, hybrid, the
 * default budget): for every distinct loop nest of a layer suite — ResNet-50's
 * convolutions and FC, MobileNet-V2's depthwise and pointwise convolutions,
 * BERT-base's GEMMs — on eyeriss and simba, the default search with several
 * seeds against a long search: the same search given 10× the default
 * budget's evaluations, with several other seeds; a nest's reference is the
 * best EDP any of these found (and, with ACCELMAP_REFERENCE_EXTRA, any
 * recorded elsewhere). The search is stochastic: one seed's count of nests
 * within 5% moves by a few nests from seed to seed, so the figures are over
 * every (nest, seed) pair. Objective: EDP.
 * Prints, per architecture: the share of pairs within 2% and 5% of the
 * reference, the geometric mean of best ÷ reference − 1, evaluations and time
 * per nest, the nests that were more than 5% off for at least one seed, and
 * how many nests `auto` lost to a named dataflow's own search (`--dataflow d`
 * at the same budget, which auto's quick seeds replace); then the
 * whole-network wall time of each model at the default budget.
 * `npm run bench -- mapper-default`. Environment: ACCELMAP_SUITE_EVERY=N
 * takes every Nth nest of the suite (default 1), ACCELMAP_QUALITY_ARCHS=eyeriss
 * one architecture, ACCELMAP_DEFAULT_SEEDS (default 4),
 * ACCELMAP_REFERENCE_SEEDS (default 3), ACCELMAP_REFERENCE_FACTOR (default
 * 10), ACCELMAP_DEFAULT_BUDGET='{"evaluations":…}' another budget for the
 * default search (to weigh budgets), ACCELMAP_REFERENCE_CACHE=file.json keeps
 * each long search's best EDP in that file and reuses it, so that a rerun
 * searches only the default (its entries are keyed by architecture, nest,
 * budget and seed, not by the search's code: start a new file when the
 * search changes, or the reference is the old code's long search);
 * ACCELMAP_REFERENCE_EXTRA=file.json best EDPs
 * found elsewhere, by `arch|nest key`; ACCELMAP_NETWORKS=0 skips the
 * whole-network runs.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { loadArch } from '../src/arch/load.js';
import { MAP_DEFAULTS } from '../src/api/mapping.js';
import { layerWork } from '../src/network/layers.js';
import { mapGraph } from '../src/network/map.js';
import { problemKey, type Problem } from '../src/problem/types.js';
import { applicable } from '../src/search/dataflows.js';
import type { JobOutcome, SearchJob } from '../src/search/job.js';
import { searchNest, SEED_DATAFLOWS } from '../src/search/nest.js';
import { parseObjective } from '../src/search/objective.js';
import { SearchPool } from '../src/search/pool.js';
import type { Budget } from '../src/search/search.js';
import { loadGraph } from '../src/workload/load.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const EVERY = env('ACCELMAP_SUITE_EVERY', 1);
const DEFAULT_SEEDS = env('ACCELMAP_DEFAULT_SEEDS', 4);
const REFERENCE_SEEDS = env('ACCELMAP_REFERENCE_SEEDS', 3);
const FACTOR = env('ACCELMAP_REFERENCE_FACTOR', 10);
const budget: Budget = process.env.ACCELMAP_DEFAULT_BUDGET ? (JSON.parse(process.env.ACCELMAP_DEFAULT_BUDGET) as Budget) : { ...MAP_DEFAULTS.budget };
const reference: Budget = { evaluations: FACTOR * (budget.evaluations ?? MAP_DEFAULTS.budget.evaluations) };
const readJson = (file: string | undefined): Record<string, number> => (file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>) : {});
const CACHE = process.env.ACCELMAP_REFERENCE_CACHE;
const cache = readJson(CACHE);
const extra = readJson(process.env.ACCELMAP_REFERENCE_EXTRA);
const ARCHS = ['eyeriss', 'simba'].filter((a) => !process.env.ACCELMAP_QUALITY_ARCHS || process.env.ACCELMAP_QUALITY_ARCHS.split(',').includes(a));
const MODELS = ['resnet50', 'mobilenet_v2', 'bert_base'];
const metrics = parseObjective('edp').metrics;

/** The suite's nests: ResNet-50 convolutions and FC, MobileNet-V2 depthwise (grouped) and pointwise (1×1) convolutions, BERT GEMMs. */
function inSuite(model: string, op: string, p: Problem): boolean {
  if (model !== 'mobilenet_v2') return ['Conv', 'Gemm', 'MatMul'].includes(op);
  const bound = (d: string) => p.bounds[p.dims.indexOf(d)] ?? 1;
  return op === 'Conv' && (p.dims.includes('G') || (bound('R') === 1 && bound('S') === 1));
}

const shapes = new Map<string, { problem: Problem; where: string }>();
for (const model of MODELS) {
  for (const w of layerWork(loadGraph(model))) {
    for (const { problem } of w.problems) {
      const key = problemKey(problem);
      if (inSuite(model, w.op, problem) && !shapes.has(key)) shapes.set(key, { problem, where: `${model}:${w.name}` });
    }
  }
}
const suite = [...shapes.entries()].filter((_, i) => i % EVERY === 0);
const threads = availableParallelism();
console.log(`${suite.length} distinct loop nests (every ${EVERY} of ${shapes.size}); default budget ${JSON.stringify(budget)}, ${DEFAULT_SEEDS} seeds; reference: ${JSON.stringify(reference)}, ${REFERENCE_SEEDS} other seeds; ${threads} threads`);

const pool = new SearchPool(threads);
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
};
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const edp = (r: JobOutcome) => (r.mapping ? r.cycles * r.energyPj : Infinity);
const seeds = (n: number, from: number) => Array.from({ length: n }, (_, i) => from + i);

for (const archName of ARCHS) {
  const arch = loadArch(archName);
  const search = (problem: Problem, key: string, dataflow: SearchJob['dataflow'], seed: number, b: Budget) => {
    const job: SearchJob = { problem, arch, dataflow, metrics, strategy: 'hybrid', budget: b, seed };
    return searchNest(job, key, (task, urgent) => pool.run(task, urgent)).then((r) => r.best);
  };
  /** A long search's best EDP, from the cache where it has it. */
  const longSearch = async (problem: Problem, key: string, seed: number) => {
    const id = `${archName}|${key}|${reference.evaluations}|${seed}`;
    if (!(id in cache)) {
      cache[id] = edp(await search(problem, key, 'auto', seed, reference));
      if (CACHE) writeFileSync(CACHE, JSON.stringify(cache));
    }
    return cache[id]!;
  };
  let finished = 0;
  const rows = await Promise.all(
    suite.map(async ([key, { problem, where }]) => {
      const runs = await Promise.all(seeds(DEFAULT_SEEDS, 1).map((s) => search(problem, key, 'auto', s, budget)));
      const named = await Promise.all(SEED_DATAFLOWS.filter((d) => applicable(d, problem)).map((d) => search(problem, key, d, 1, budget)));
      const long = await Promise.all(seeds(REFERENCE_SEEDS, 1 + DEFAULT_SEEDS).map((s) => longSearch(problem, key, s)));
      const ref = Math.min(...runs.map(edp), ...long, extra[`${archName}|${key}`] ?? Infinity);
      const gaps = runs.map((r) => edp(r) / ref - 1);
      const lostToNamed = named.some((x) => edp(x) < edp(runs[0]!));
      process.stderr.write(`${archName} ${++finished}/${suite.length} ${where}: gaps ${gaps.map(pct).join(' ')}${lostToNamed ? ', lost to a named dataflow' : ''}\n`);
      return { where, gaps, seconds: runs.map((r) => r.seconds), evaluated: runs.map((r) => r.evaluated), lostToNamed };
    }),
  );
  const gaps = rows.flatMap((r) => r.gaps);
  const within = (x: number) => gaps.filter((g) => g <= x).length;
  const geoMean = Math.exp(gaps.reduce((s, g) => s + Math.log1p(g), 0) / gaps.length) - 1;
  console.log(`\n== ${archName}`);
  console.log(`(nest, seed) pairs within 2% of the reference: ${within(0.02)}/${gaps.length} = ${pct(within(0.02) / gaps.length)}; within 5%: ${within(0.05)}/${gaps.length} = ${pct(within(0.05) / gaps.length)}; geometric mean gap ${pct(geoMean)}`);
  console.log(`  gap quantiles  median ${pct(quantile(gaps, 0.5))}  p90 ${pct(quantile(gaps, 0.9))}  max ${pct(quantile(gaps, 1))}`);
  const secs = rows.flatMap((r) => r.seconds), evs = rows.flatMap((r) => r.evaluated);
  console.log(`  per nest (summed over its tasks)  time median ${quantile(secs, 0.5).toFixed(3)} s, max ${quantile(secs, 1).toFixed(3)} s;  evaluations mean ${Math.round(evs.reduce((a, b) => a + b, 0) / evs.length).toLocaleString('en-US')}`);
  console.log(`  auto (seed 1) lost to a named dataflow's own search at the same budget on ${rows.filter((r) => r.lostToNamed).length} of ${rows.length} nests`);
  for (const r of rows.filter((x) => x.gaps.some((g) => g > 0.05))) console.log(`  ${r.where} gaps ${r.gaps.map(pct).join(' ')}`);
  if (process.env.ACCELMAP_NETWORKS === '0') continue;
  for (const model of MODELS) {
    const t0 = performance.now();
    const r = await mapGraph(loadGraph(model), arch, { dataflow: 'auto', metrics, strategy: 'hybrid', budget, seed: 1, threads });
    console.log(`whole network ${model}: ${((performance.now() - t0) / 1000).toFixed(1)} s wall on ${threads} threads, ${r.totals.distinctProblems} nests, ${r.totals.evaluations.toLocaleString('en-US')} evaluations`);
  }
}
await pool.close();
