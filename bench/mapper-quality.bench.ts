/**
 * Mapper quality bar: for every distinct conv/FC/matmul loop nest of
 * resnet50, mobilenet_v2 and bert_base, on eyeriss and simba, the default
 * strategy (hybrid: coordinate descent in these dataflow spaces; `accelmap map`'s default budget) against the
 * exhaustive optimum under the same constraints: the architecture's own
 * dataflow (row stationary on eyeriss where the nest has a sliding window,
 * weight stationary otherwise and on simba). Objective: EDP. Prints the
 * distribution of the gap (default ÷ exhaustive − 1) and the time per layer
 * of both. `npm run bench -- mapper-quality`; ACCELMAP_EXHAUSTIVE_SECONDS caps each
 * exhaustive search (default 300 s); ACCELMAP_QUALITY_ARCHS=eyeriss runs one architecture;
 * ACCELMAP_QUALITY_SEEDS=n runs the default with seeds 1 … n (default 1) and
 * counts (nest, seed) pairs; ACCELMAP_EXHAUSTIVE_CACHE=<file.json> keeps the
 * complete exhaustive searches' results there between runs (keyed by
 * architecture, nest and dataflow: the exhaustive optimum does not depend on
 * the search's code, only on the cost model's).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { loadArch } from '../src/arch/load.js';
import { MAP_DEFAULTS } from '../src/api/mapping.js';
import { layerWork } from '../src/network/layers.js';
import { problemKey, type Problem } from '../src/problem/types.js';
import { applicable } from '../src/search/dataflows.js';
import { derivedSeed } from '../src/search/job.js';
import { SearchPool } from '../src/search/pool.js';
import { loadGraph } from '../src/workload/load.js';

const EXHAUSTIVE_SECONDS = Number(process.env.ACCELMAP_EXHAUSTIVE_SECONDS ?? 300);
const SEEDS = Number(process.env.ACCELMAP_QUALITY_SEEDS ?? 1);
const CACHE = process.env.ACCELMAP_EXHAUSTIVE_CACHE;
type Exhaustive = { edp: number; complete: boolean; seconds: number; evaluated: number; log10Size: number };
const cache: Record<string, Exhaustive> = CACHE && existsSync(CACHE) ? (JSON.parse(readFileSync(CACHE, 'utf8')) as Record<string, Exhaustive>) : {};
const MODELS = ['resnet50', 'mobilenet_v2', 'bert_base'];
const OPS = new Set(['Conv', 'Gemm', 'MatMul']);
const NATIVE = { eyeriss: 'rs', simba: 'ws' } as const;
const ARCHS = Object.entries(NATIVE).filter(([a]) => !process.env.ACCELMAP_QUALITY_ARCHS || process.env.ACCELMAP_QUALITY_ARCHS.split(',').includes(a));

const shapes = new Map<string, { problem: Problem; where: string }>();
for (const model of MODELS) {
  for (const w of layerWork(loadGraph(model))) {
    if (!OPS.has(w.op)) continue;
    for (const { problem } of w.problems) {
      const key = problemKey(problem);
      if (!shapes.has(key)) shapes.set(key, { problem, where: `${model}:${w.name}` });
    }
  }
}
console.log(`${shapes.size} distinct loop nests from ${MODELS.join(', ')}; exhaustive limited to ${EXHAUSTIVE_SECONDS} s each; ${availableParallelism()} threads`);

const pool = new SearchPool(availableParallelism());
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
};
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

for (const [archName, native] of ARCHS) {
  const arch = loadArch(archName);
  let finished = 0;
  const rows = await Promise.all(
    [...shapes.entries()].map(async ([key, { problem, where }]) => {
      const dataflow = applicable(native, problem) ? native : 'ws';
      const base = { problem, arch, space: dataflow, metrics: ['edp', 'latency', 'energy'] as const };
      const exhaustive = async (): Promise<Exhaustive> => {
        const id = `${archName}|${key}|${dataflow}`;
        if (cache[id]) return cache[id];
        const e = await pool.run({ ...base, metrics: [...base.metrics], seed: derivedSeed(1, `${key}/${dataflow}`), strategy: 'exhaustive', budget: { seconds: EXHAUSTIVE_SECONDS } });
        const r = { edp: e.mapping ? e.cycles * e.energyPj : NaN, complete: e.complete, seconds: e.seconds, evaluated: e.evaluated, log10Size: e.log10Size };
        if (CACHE && r.complete) (cache[id] = r), writeFileSync(CACHE, JSON.stringify(cache));
        return r;
      };
      const seeds = Array.from({ length: SEEDS }, (_, i) => i + 1);
      const [e, ...hs] = await Promise.all([
        exhaustive(),
        ...seeds.map((seed) => pool.run({ ...base, metrics: [...base.metrics], seed: derivedSeed(seed, `${key}/${dataflow}`), strategy: 'hybrid', budget: { ...MAP_DEFAULTS.budget } })),
      ]);
      const gaps = hs.map((h) => (h.mapping && Number.isFinite(e.edp) ? (h.cycles * h.energyPj) / e.edp - 1 : NaN));
      process.stderr.write(`${archName} ${++finished}/${shapes.size} ${where} [${dataflow}]: gaps ${gaps.map((g) => (Number.isFinite(g) ? pct(g) : 'n/a')).join(' ')}, default ${hs[0]!.seconds.toFixed(2)} s, exhaustive ${e.seconds.toFixed(1)} s${e.complete ? '' : ' (incomplete)'}\n`);
      return { where, dataflow, gaps, complete: e.complete, hSeconds: hs[0]!.seconds, eSeconds: e.seconds, eEvaluated: e.evaluated, size: e.log10Size };
    }),
  );
  const done = rows.filter((r) => r.complete && r.gaps.every(Number.isFinite));
  const gaps = done.flatMap((r) => r.gaps);
  const within = gaps.filter((g) => g <= 0.02).length;
  console.log(`\n== ${archName} (native dataflow ${native})`);
  console.log(`nests ${rows.length}; exhaustive complete ${done.length}; default (${SEEDS} seed${SEEDS > 1 ? 's' : ''}) within 2% of the optimum: ${within}/${gaps.length} (nest, seed) pairs = ${pct(within / Math.max(1, gaps.length))}`);
  console.log(`gap quantiles  min ${pct(quantile(gaps, 0))}  median ${pct(quantile(gaps, 0.5))}  p90 ${pct(quantile(gaps, 0.9))}  p95 ${pct(quantile(gaps, 0.95))}  max ${pct(quantile(gaps, 1))}`);
  console.log(`time per nest  default median ${quantile(rows.map((r) => r.hSeconds), 0.5).toFixed(2)} s (max ${quantile(rows.map((r) => r.hSeconds), 1).toFixed(2)});  exhaustive median ${quantile(rows.map((r) => r.eSeconds), 0.5).toFixed(1)} s (max ${quantile(rows.map((r) => r.eSeconds), 1).toFixed(1)}), median ${quantile(rows.map((r) => r.eEvaluated), 0.5).toLocaleString('en-US')} mappings`);
  for (const r of rows.filter((x) => !x.complete || x.gaps.some((g) => !(g <= 0.02)))) {
    console.log(`  ${r.where} [${r.dataflow}] gaps ${r.gaps.map((g) => (Number.isFinite(g) ? pct(g) : 'n/a')).join(' ')}${r.complete ? '' : ` (exhaustive incomplete after ${r.eSeconds.toFixed(0)} s, ${r.eEvaluated.toLocaleString('en-US')} of ~10^${r.size.toFixed(1)})`}`);
  }
}
await pool.close();
