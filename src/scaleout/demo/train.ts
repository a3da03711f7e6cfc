import type { OpClass } from '../../workload/op.js';
import { Rng } from '../../util/rng.js';
import type { Progress } from '../../util/progress.js';
import { DEFAULT_COMPRESSION, GradientCompressor, type CompressionMethod, type CompressionOptions } from '../compress/compressors.js';
import { addBits, FLOAT_BITS, NO_BITS, totalBits, type SizeBits } from '../compress/encoding.js';
import { batchOf, makeDataset, type Dataset } from './data.js';
import { smallCnn, type Network } from './net.js';

/**
 * Data-parallel training of a small CNN with several simulated workers: each
 * worker computes the gradient of its own batch, compresses it layer by layer
 * (with its own residuals), and every worker applies the average of what the
 * others' messages decode to — the exchange a compressed all-gather performs.
 * All replicas stay identical, so one copy of the weights stands for all.
 */
export interface DemoConfig {
  workers: number;
  steps: number;
  batchPerWorker: number;
  learningRate: number;
  momentum: number;
  imageSize: number;
  channels: [number, number];
  hidden: number;
  classes: number;
  noise: number;
  trainCount: number;
  testCount: number;
  /** Points on the loss curve. */
  curvePoints: number;
  seed: number;
  compression: CompressionOptions;
}

/** The demonstration's defaults: about three seconds per method on one core. */
export const DEFAULT_DEMO: DemoConfig = {
  workers: 4,
  steps: 200,
  batchPerWorker: 16,
  learningRate: 0.2,
  momentum: 0.5,
  imageSize: 8,
  channels: [8, 16],
  hidden: 64,
  classes: 8,
  noise: 0.3,
  trainCount: 2000,
  testCount: 800,
  curvePoints: 10,
  seed: 1,
  compression: DEFAULT_COMPRESSION,
};

export interface CurvePoint {
  step: number;
  /** Mean training loss over the steps since the previous point. */
  trainLoss: number;
  testAccuracy: number;
}

export interface LayerClassStats {
  layerClass: OpClass;
  /** Gradient elements of this class per worker and step. */
  elements: number;
  /** Bits sent over the run, by part. */
  bits: SizeBits;
  /** Uncompressed (32-bit) over compressed bits. */
  ratio: number;
  /** √(Σ‖decoded − gradient‖² / Σ‖gradient‖²) over workers and steps. */
  relativeError: number;
  /** Fraction of the elements carried. */
  density: number;
}

export interface DemoRun {
  method: CompressionMethod;
  curve: CurvePoint[];
  finalTestAccuracy: number;
  byClass: LayerClassStats[];
  ratio: number;
}

export function trainDemo(method: CompressionMethod, cfg: DemoConfig, progress?: Progress): DemoRun {
  const train = makeDataset({ count: cfg.trainCount, imageSize: cfg.imageSize, classes: cfg.classes, noise: cfg.noise, seed: cfg.seed });
  const test = makeDataset({ count: cfg.testCount, imageSize: cfg.imageSize, classes: cfg.classes, noise: cfg.noise, seed: cfg.seed + 1 });
  const net = smallCnn({ imageSize: cfg.imageSize, channels: cfg.channels, hidden: cfg.hidden, classes: cfg.classes }, new Rng(cfg.seed + 2));
  const shard = Math.floor(cfg.trainCount / cfg.workers);
  const samplers = Array.from({ length: cfg.workers }, (_, w) => new Rng(cfg.seed + 100 + w));
  const compressors = Array.from({ length: cfg.workers }, (_, w) =>
    net.params.map((p, i) => new GradientCompressor(method, p.value.length, p.layerClass, cfg.compression, cfg.seed + 1000 * (w + 1) + i)),
  );
  const velocity = net.params.map((p) => new Float32Array(p.value.length));
  const sums = net.params.map((p) => new Float32Array(p.value.length));
  const stats = new Map<OpClass, { elements: number; bits: SizeBits; errSq: number; refSq: number; sent: number; total: number }>();
  for (const p of net.params) {
    const s = stats.get(p.layerClass) ?? { elements: 0, bits: NO_BITS, errSq: 0, refSq: 0, sent: 0, total: 0 };
    s.elements += p.value.length;
    stats.set(p.layerClass, s);
  }

  const curve: CurvePoint[] = [];
  const every = Math.max(1, Math.floor(cfg.steps / cfg.curvePoints));
  let lossSum = 0;
  let lossCount = 0;
  for (let step = 1; step <= cfg.steps; step++) {
    for (const s of sums) s.fill(0);
    for (let w = 0; w < cfg.workers; w++) {
      const idx = Array.from({ length: cfg.batchPerWorker }, () => w * shard + samplers[w]!.int(shard));
      const { x, y } = batchOf(train, idx);
      lossSum += net.gradients(x, y, cfg.batchPerWorker).loss;
      lossCount++;
      net.params.forEach((p, i) => {
        const c = compressors[w]![i]!.compress(p.grad);
        const sum = sums[i]!;
        let errSq = 0;
        let refSq = 0;
        for (let j = 0; j < sum.length; j++) {
          sum[j]! += c.decoded[j]!;
          const d = c.decoded[j]! - p.grad[j]!;
          errSq += d * d;
          refSq += p.grad[j]! * p.grad[j]!;
        }
        const s = stats.get(p.layerClass)!;
        s.bits = addBits(s.bits, c.bits);
        s.errSq += errSq;
        s.refSq += refSq;
        s.sent += c.sent;
        s.total += sum.length;
      });
    }
    net.params.forEach((p, i) => {
      const v = velocity[i]!;
      const g = sums[i]!;
      for (let j = 0; j < v.length; j++) {
        v[j] = cfg.momentum * v[j]! + g[j]! / cfg.workers;
        p.value[j]! -= cfg.learningRate * v[j]!;
      }
    });
    if (step % every === 0 || step === cfg.steps) {
      curve.push({ step, trainLoss: lossSum / lossCount, testAccuracy: accuracy(net, test) });
      lossSum = 0;
      lossCount = 0;
      progress?.update(`${method}: step ${step}/${cfg.steps}`);
    }
  }

  let raw = 0;
  let sent = 0;
  const byClass = [...stats].map(([layerClass, s]) => {
    const rawBits = s.total * FLOAT_BITS;
    raw += rawBits;
    sent += totalBits(s.bits);
    return {
      layerClass,
      elements: s.elements,
      bits: s.bits,
      ratio: rawBits / totalBits(s.bits),
      relativeError: s.refSq > 0 ? Math.sqrt(s.errSq / s.refSq) : 0,
      density: s.sent / s.total,
    };
  });
  return { method, curve, finalTestAccuracy: curve[curve.length - 1]!.testAccuracy, byClass, ratio: raw / sent };
}

export function accuracy(net: Network, d: Dataset, batch = 200): number {
  let correct = 0;
  for (let start = 0; start < d.count; start += batch) {
    const idx = Array.from({ length: Math.min(batch, d.count - start) }, (_, i) => start + i);
    const { x, y } = batchOf(d, idx);
    const logits = net.forward(x, idx.length);
    for (let b = 0; b < idx.length; b++) {
      let arg = 0;
      for (let k = 1; k < d.classes; k++) if (logits[b * d.classes + k]! > logits[b * d.classes + arg]!) arg = k;
      if (arg === y[b]) correct++;
    }
  }
  return correct / d.count;
}
