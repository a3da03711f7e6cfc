// Time to build and profile the largest zoo models, inference and training,
// against ResNet-50 inference measured in the same run (medians of 7 runs
// after a warm-up).
import { profileGraph } from '../src/characterize/profile.js';
import { loadDevice } from '../src/device/load.js';
import { loadGraph, type LoadOptions } from '../src/workload/load.js';
import { medianMs } from './timing.js';

const device = loadDevice('v100-16gb');

const median = (model: string, o: LoadOptions) => medianMs(() => profileGraph(loadGraph(model, o), device), 7);

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
