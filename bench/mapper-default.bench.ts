/**
 * Mapper quality in the default space (`--dataflow auto`, hybrid, the
 * default budget): for every distinct loop nest of a layer suite — ResNet-50's
 * convolutions and FC, MobileNet-V2's depthwise and pointwise convolutions,
 * BERT-base's GEMMs — on eyeriss and simba, the default search against a
 * long search: the same search given 10× the default budget's evaluations
 * (without patience or gap, so it does not depend on how soon the default
 * stops), with several seeds; the reference is the best of those and of the
 * searches compared. Objective: EDP. The default is compared with itself
 * with a 2% lower-bound gap (Budget.gap), in the same run.
 * Prints, for each, the fraction of nests within 2% and 5% of the reference,
 * the time and evaluations per nest and how many nests ended within 2% of
 * their lower bound; then the whole-network wall time of each model.
 * `npm run bench -- mapper-default`. Environment: ACCELMAP_SUITE_EVERY=N
 * takes every Nth nest of the suite (default 1), ACCELMAP_QUALITY_ARCHS=eyeriss
 * one architecture, ACCELMAP_REFERENCE_SEEDS (default 3),
 * ACCELMAP_REFERENCE_FACTOR (default 10), ACCELMAP_DEFAULT_EVALUATIONS
 * another cap for the default search (to weigh budgets), ACCELMAP_NETWORKS=0
 * skips the whole-network runs.
 */
import { availableParallelism } from 'node:os';
import { loadArch } from '../src/arch/load.js';
import { MAP_DEFAULTS } from '../src/api/mapping.js';
import { layerWork } from '../src/network/layers.js';
import { mapGraph } from '../src/network/map.js';
import { problemKey, type Problem } from '../src/problem/types.js';
import type { JobOutcome, SearchJob } from '../src/search/job.js';
import { searchNest } from '../src/search/nest.js';
import { lowerBound } from '../src/search/bounds.js';
import { parseObjective } from '../src/search/objective.js';
import { SearchPool } from '../src/search/pool.js';
import type { Budget } from '../src/search/search.js';
import { loadGraph } from '../src/workload/load.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const EVERY = env('ACCELMAP_SUITE_EVERY', 1);
const SEEDS = env('ACCELMAP_REFERENCE_SEEDS', 3);
const FACTOR = env('ACCELMAP_REFERENCE_FACTOR', 10);
const budget: Budget = process.env.ACCELMAP_DEFAULT_EVALUATIONS ? { ...MAP_DEFAULTS.budget, evaluations: env('ACCELMAP_DEFAULT_EVALUATIONS', 0) } : { ...MAP_DEFAULTS.budget };
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
const gap = 0.02;
const reference: Budget = { evaluations: FACTOR * (budget.evaluations ?? MAP_DEFAULTS.budget.evaluations) };
const compared: { label: string; budget: Budget }[] = [{ label: 'default', budget }, { label: `with a ${100 * gap}% gap`, budget: { ...budget, gap } }];
console.log(`${suite.length} distinct loop nests (every ${EVERY} of ${shapes.size}); default budget ${JSON.stringify(budget)}; reference: ${JSON.stringify(reference)}, ${SEEDS} seeds; ${threads} threads`);

const pool = new SearchPool(threads);
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
};
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const edp = (r: JobOutcome) => (r.mapping ? r.cycles * r.energyPj : Infinity);

for (const archName of ARCHS) {
  const arch = loadArch(archName);
  const nest = (problem: Problem, key: string, seed: number, b: Budget) => {
    const job: SearchJob = { problem, arch, dataflow: 'auto', metrics, strategy: 'hybrid', budget: b, seed };
    return searchNest(job, key, (task, urgent) => pool.run(task, urgent)).then((r) => r.best);
  };
  let finished = 0;
  const rows = await Promise.all(
    suite.map(async ([key, { problem, where }]) => {
      const runs = await Promise.all(compared.map((c) => nest(problem, key, 1, c.budget)));
      const long = await Promise.all(Array.from({ length: SEEDS }, (_, i) => nest(problem, key, 2 + i, reference)));
      const ref = Math.min(...runs.map(edp), ...long.map(edp));
      const b = lowerBound(problem, arch);
      const atBound = (r: JobOutcome) => edp(r) <= (1 + gap) * b.cycles * b.energyPj;
      process.stderr.write(`${archName} ${++finished}/${suite.length} ${where}: ${runs.map((r, i) => `${compared[i]!.label} gap ${pct(edp(r) / ref - 1)}, ${r.seconds.toFixed(2)} s, ${r.evaluated.toLocaleString('en-US')} evaluations`).join('; ')}\n`);
      return { where, runs: runs.map((r) => ({ gap: edp(r) / ref - 1, seconds: r.seconds, evaluated: r.evaluated, atBound: atBound(r) })) };
    }),
  );
  console.log(`\n== ${archName}`);
  compared.forEach(({ label }, i) => {
    const rs = rows.map((r) => ({ where: r.where, ...r.runs[i]! }));
    const gaps = rs.map((r) => r.gap);
    const within = (x: number) => gaps.filter((g) => g <= x).length;
    console.log(`${label}: within 2% of the reference: ${within(0.02)}/${rs.length} = ${pct(within(0.02) / rs.length)}; within 5%: ${within(0.05)}/${rs.length} = ${pct(within(0.05) / rs.length)}; within 2% of the lower bound: ${rs.filter((r) => r.atBound).length}`);
    console.log(`  gap quantiles  median ${pct(quantile(gaps, 0.5))}  p90 ${pct(quantile(gaps, 0.9))}  max ${pct(quantile(gaps, 1))}`);
    const secs = rs.map((r) => r.seconds), evs = rs.map((r) => r.evaluated);
    console.log(`  per nest (summed over its tasks)  time median ${quantile(secs, 0.5).toFixed(2)} s, max ${quantile(secs, 1).toFixed(2)} s;  evaluations mean ${Math.round(evs.reduce((a, b) => a + b, 0) / evs.length).toLocaleString('en-US')}`);
    for (const r of rs.filter((x) => x.gap > 0.05)) console.log(`  ${r.where} gap ${pct(r.gap)}`);
  });
  if (process.env.ACCELMAP_NETWORKS === '0') continue;
  for (const model of MODELS) {
    const t0 = performance.now();
    const r = await mapGraph(loadGraph(model), arch, { dataflow: 'auto', metrics, strategy: 'hybrid', budget, seed: 1, threads });
    console.log(`whole network ${model}: ${((performance.now() - t0) / 1000).toFixed(1)} s wall on ${threads} threads, ${r.totals.distinctProblems} nests, ${r.totals.evaluations.toLocaleString('en-US')} evaluations`);
  }
}
await pool.close();
