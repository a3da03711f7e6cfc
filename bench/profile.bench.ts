// Time to build and profile the largest zoo models, inference and training,
// against ResNet-50 inference measured in the same run.
import { profileGraph } from '../src/characterize/profile.js';
import { loadDevice } from '../src/device/load.js';
import { loadGraph, type LoadOptions } from '../src/workload/load.js';

const device = loadDevice('v100-16gb');

function median(model: string, o: LoadOptions, runs = 7): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    profileGraph(loadGraph(model, o), device);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[runs >> 1]!;
}

const baseline = median('resnet50', {});
console.log(`baseline resnet50 inference: ${baseline.toFixed(1)} ms (median of 7)`);
for (const [model, o] of [
  ['gpt2', {}],
  ['gpt2', { mode: 'train' }],
  ['bert_base', { mode: 'train' }],
  ['vit_b_16', { mode: 'train', batch: 64 }],
  ['googlenet', { mode: 'train', batch: 128 }],
] as [string, LoadOptions][]) {
  const ms = median(model, o);
  console.log(`${model} ${o.mode ?? 'infer'}${o.batch ? ` batch ${o.batch}` : ''}: ${ms.toFixed(1)} ms = ${(ms / baseline).toFixed(2)}× baseline`);
}
