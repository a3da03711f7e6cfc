/**
 * Cost-model throughput: evaluations per second of one core for a ResNet-50
 * 3×3 convolution (conv:K=64,C=64,P=56,Q=56,R=3,S=3) on the eyeriss preset,
 * over a pool of random valid mappings. Prints the median of several runs,
 * a same-run baseline (a fixed typed-array multiply-add loop, to compare
 * machines and noisy runs: "one evaluation costs N baseline iterations") and
 * the garbage collections seen while evaluating (0 = no allocation per
 * evaluation). The pool of 4096 mappings does not fit in the caches; the
 * same figure over its first 256 mappings (cache-resident, as a search's
 * working set is) shows how much of an evaluation is waiting for memory.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { loadArch } from '../src/arch/load.js';
import { CostModel } from '../src/mapping/model.js';
import { randomMapping } from '../src/mapping/testing/random-cases.js';
import type { MappingArrays } from '../src/mapping/mapping.js';
import { parseLayerSpec } from '../src/problem/parse.js';
import { Rng } from '../src/util/rng.js';

const RUNS = 7;
const RUN_MS = 600;
const POOL = 4096;

const arch = loadArch('eyeriss');
const problem = parseLayerSpec('conv:K=64,C=64,P=56,Q=56,R=3,S=3');
const model = new CostModel(problem, arch);
const rng = new Rng(1);
const pool: MappingArrays[] = [];
let tried = 0;
while (pool.length < POOL) {
  tried++;
  const m = randomMapping(rng, problem, arch, 0);
  if (model.evaluate(m)) pool.push(m);
}

const baseline = new Float64Array(1024).map((_, i) => 1 + i * 1e-6);
function baselineRate(ms: number): number {
  let n = 0, acc = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 1023; i++) acc += baseline[i]! * baseline[i + 1]!;
    n += 1023;
  }
  if (acc === 42) console.log('');
  return n / ((performance.now() - t0) / 1000);
}


/** Evaluates the first `size` mappings of the pool once; returns a sum of the results (so that nothing is optimized away). */
function sweep(size: number): number {
  let acc = 0;
  for (let i = 0; i < size; i++) {
    model.evaluate(pool[i]!);
    acc += model.cycles;
  }
  return acc;
}

function evalRate(ms: number, size = POOL): { rate: number; evaluations: number } {
  let n = 0, acc = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    acc += sweep(size);
    n += size;
  }
  if (acc === 42) console.log('');
  return { rate: n / ((performance.now() - t0) / 1000), evaluations: n };
}

evalRate(300); // warm up
const HOT_POOL = 256;
const evals: number[] = [], bases: number[] = [], hots: number[] = [];
for (let r = 0; r < RUNS; r++) {
  bases.push(baselineRate(RUN_MS / 2));
  evals.push(evalRate(RUN_MS).rate);
  hots.push(evalRate(RUN_MS / 2, HOT_POOL).rate);
}

// Allocation: garbage collections while doing nothing but evaluating (in the sweep, optimized by now).
const ALLOC_EVALS = 2_000_000;
let gcs = 0;
const obs = new PerformanceObserver((list) => (gcs += list.getEntries().length));
await new Promise((res) => setTimeout(res, 20));
obs.observe({ entryTypes: ['gc'] });
let sink = 0;
for (let n = 0; n < ALLOC_EVALS; n += POOL) sink += sweep(POOL);
await new Promise((res) => setTimeout(res, 50));
obs.disconnect();
if (sink === 42) console.log('');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const e = median(evals), b = median(bases);
const ratios = evals.map((x, i) => bases[i]! / x);
console.log(`problem      conv K=64 C=64 P=56 Q=56 R=3 S=3 (ResNet-50 3×3) on eyeriss; ${POOL} random valid mappings (${tried} drawn)`);
console.log(`evaluations  ${(e / 1e6).toFixed(3)} M/s median of ${RUNS} runs (min ${(Math.min(...evals) / 1e6).toFixed(3)}, max ${(Math.max(...evals) / 1e6).toFixed(3)})`);
console.log(`cached       ${(median(hots) / 1e6).toFixed(3)} M/s over the first ${HOT_POOL} mappings (median of ${RUNS} runs)`);
console.log(`baseline     ${(b / 1e9).toFixed(3)} G multiply-add iterations/s (same runs)`);
console.log(`ratio        one evaluation = ${median(ratios).toFixed(0)} baseline iterations (median per run)`);
console.log(`allocation   ${gcs} garbage collections during ${(ALLOC_EVALS / 1e6).toFixed(1)} M evaluations`);
