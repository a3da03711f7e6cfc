import type { OpClass } from '../../workload/op.js';
import type { Rng } from '../../util/rng.js';

/**
 * A small convolutional network trained for real, in Float32Array math:
 * forward, backward and the parameters' gradients. Activations are NCHW,
 * row-major. Layers keep what backward needs from their last forward.
 */
export interface Param {
  name: string;
  layerClass: OpClass;
  value: Float32Array;
  grad: Float32Array;
}

export interface Shape {
  c: number;
  h: number;
  w: number;
}

export interface Layer {
  readonly params: Param[];
  outShape(input: Shape): Shape;
  forward(x: Float32Array, n: number): Float32Array;
  /** Takes d(loss)/d(output), accumulates parameter gradients, returns d(loss)/d(input). */
  backward(dy: Float32Array, n: number): Float32Array;
}

function param(name: string, layerClass: OpClass, size: number): Param {
  return { name, layerClass, value: new Float32Array(size), grad: new Float32Array(size) };
}

/** He-normal initialisation. */
function initHe(p: Param, fanIn: number, rng: Rng): void {
  const std = Math.sqrt(2 / fanIn);
  for (let i = 0; i < p.value.length; i++) p.value[i] = rng.normal() * std;
}

/** k×k convolution, stride 1, zero padding (k − 1)/2 (same size). */
export class Conv2d implements Layer {
  readonly params: Param[];
  private readonly weight: Param;
  private readonly bias: Param;
  /**
   * Per kernel tap (r, s), row-major: the input offset of the tap relative
   * to the output pixel, and the output rows [y0, y1) and columns [x0, x1)
   * whose tap falls inside the image — 5 numbers each.
   */
  private readonly taps: Int32Array;
  private input: Float32Array = new Float32Array(0);

  constructor(
    name: string,
    private readonly inShape: Shape,
    private readonly outChannels: number,
    private readonly k: number,
    rng: Rng,
  ) {
    this.weight = param(`${name}.weight`, 'convolution', outChannels * inShape.c * k * k);
    this.bias = param(`${name}.bias`, 'convolution', outChannels);
    initHe(this.weight, inShape.c * k * k, rng);
    this.params = [this.weight, this.bias];
    const { h: H, w: W } = inShape;
    const pad = (k - 1) >> 1;
    this.taps = new Int32Array(5 * k * k);
    for (let r = 0; r < k; r++) {
      for (let s = 0; s < k; s++) {
        const dy = r - pad;
        const dx = s - pad;
        this.taps.set([dy * W + dx, Math.max(0, -dy), Math.min(H, H - dy), Math.max(0, -dx), Math.min(W, W - dx)], 5 * (r * k + s));
      }
    }
  }

  outShape(input: Shape): Shape {
    return { c: this.outChannels, h: input.h, w: input.w };
  }

  forward(x: Float32Array, n: number): Float32Array {
    this.input = x;
    const { c: C, h: H, w: W } = this.inShape;
    const K = this.outChannels;
    const kk = this.k * this.k;
    const taps = this.taps;
    const wv = this.weight.value;
    const bv = this.bias.value;
    const y = new Float32Array(n * K * H * W);
    for (let b = 0; b < n; b++) {
      for (let o = 0; o < K; o++) {
        const yBase = (b * K + o) * H * W;
        y.fill(bv[o]!, yBase, yBase + H * W);
        for (let c = 0; c < C; c++) {
          const xBase = (b * C + c) * H * W;
          const wBase = (o * C + c) * kk;
          for (let t = 0; t < kk; t++) {
            const wgt = wv[wBase + t]!;
            const off = taps[5 * t]!;
            const x0 = taps[5 * t + 3]!;
            const x1 = taps[5 * t + 4]!;
            for (let p = taps[5 * t + 1]!, y1 = taps[5 * t + 2]!; p < y1; p++) {
              const row = p * W;
              for (let q = x0; q < x1; q++) y[yBase + row + q]! += wgt * x[xBase + row + q + off]!;
            }
          }
        }
      }
    }
    return y;
  }

  backward(dy: Float32Array, n: number): Float32Array {
    const { c: C, h: H, w: W } = this.inShape;
    const K = this.outChannels;
    const kk = this.k * this.k;
    const taps = this.taps;
    const x = this.input;
    const wv = this.weight.value;
    const wg = this.weight.grad;
    const bg = this.bias.grad;
    const dx = new Float32Array(x.length);
    for (let b = 0; b < n; b++) {
      for (let o = 0; o < K; o++) {
        const yBase = (b * K + o) * H * W;
        let sum = 0;
        for (let i = 0; i < H * W; i++) sum += dy[yBase + i]!;
        bg[o]! += sum;
        for (let c = 0; c < C; c++) {
          const xBase = (b * C + c) * H * W;
          const wBase = (o * C + c) * kk;
          for (let t = 0; t < kk; t++) {
            const wgt = wv[wBase + t]!;
            const off = taps[5 * t]!;
            const x0 = taps[5 * t + 3]!;
            const x1 = taps[5 * t + 4]!;
            let g = 0;
            for (let p = taps[5 * t + 1]!, y1 = taps[5 * t + 2]!; p < y1; p++) {
              const row = p * W;
              for (let q = x0; q < x1; q++) {
                const d = dy[yBase + row + q]!;
                g += d * x[xBase + row + q + off]!;
                dx[xBase + row + q + off]! += d * wgt;
              }
            }
            wg[wBase + t]! += g;
          }
        }
      }
    }
    return dx;
  }
}

export class Relu implements Layer {
  readonly params: Param[] = [];
  private output: Float32Array = new Float32Array(0);

  outShape(input: Shape): Shape {
    return input;
  }

  forward(x: Float32Array): Float32Array {
    const y = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) y[i] = x[i]! > 0 ? x[i]! : 0;
    this.output = y;
    return y;
  }

  backward(dy: Float32Array): Float32Array {
    const dx = new Float32Array(dy.length);
    for (let i = 0; i < dy.length; i++) dx[i] = this.output[i]! > 0 ? dy[i]! : 0;
    return dx;
  }
}

/** 2×2 max pooling, stride 2 (input sides even). */
export class MaxPool2 implements Layer {
  readonly params: Param[] = [];
  private argmax = new Int32Array(0);
  private inLength = 0;

  constructor(private readonly inShape: Shape) {}

  outShape(input: Shape): Shape {
    return { c: input.c, h: input.h >> 1, w: input.w >> 1 };
  }

  forward(x: Float32Array, n: number): Float32Array {
    const { c: C, h: H, w: W } = this.inShape;
    const h = H >> 1;
    const w = W >> 1;
    const y = new Float32Array(n * C * h * w);
    this.argmax = new Int32Array(y.length);
    this.inLength = x.length;
    let o = 0;
    for (let plane = 0; plane < n * C; plane++) {
      const base = plane * H * W;
      for (let p = 0; p < h; p++) {
        for (let q = 0; q < w; q++, o++) {
          const tl = base + 2 * p * W + 2 * q;
          let best = tl;
          if (x[tl + 1]! > x[best]!) best = tl + 1;
          if (x[tl + W]! > x[best]!) best = tl + W;
          if (x[tl + W + 1]! > x[best]!) best = tl + W + 1;
          y[o] = x[best]!;
          this.argmax[o] = best;
        }
      }
    }
    return y;
  }

  backward(dy: Float32Array): Float32Array {
    const dx = new Float32Array(this.inLength);
    for (let i = 0; i < dy.length; i++) dx[this.argmax[i]!]! += dy[i]!;
    return dx;
  }
}

/** Fully connected: y = x·Wᵀ + b over the flattened input. */
export class Dense implements Layer {
  readonly params: Param[];
  private readonly weight: Param;
  private readonly bias: Param;
  private readonly inSize: number;
  private input: Float32Array = new Float32Array(0);

  constructor(
    name: string,
    inShape: Shape,
    private readonly outSize: number,
    rng: Rng,
  ) {
    this.inSize = inShape.c * inShape.h * inShape.w;
    this.weight = param(`${name}.weight`, 'matmul', outSize * this.inSize);
    this.bias = param(`${name}.bias`, 'matmul', outSize);
    initHe(this.weight, this.inSize, rng);
    this.params = [this.weight, this.bias];
  }

  outShape(): Shape {
    return { c: this.outSize, h: 1, w: 1 };
  }

  forward(x: Float32Array, n: number): Float32Array {
    this.input = x;
    const I = this.inSize;
    const O = this.outSize;
    const wv = this.weight.value;
    const y = new Float32Array(n * O);
    for (let b = 0; b < n; b++) {
      for (let o = 0; o < O; o++) {
        let s = this.bias.value[o]!;
        const wRow = o * I;
        const xRow = b * I;
        for (let i = 0; i < I; i++) s += wv[wRow + i]! * x[xRow + i]!;
        y[b * O + o] = s;
      }
    }
    return y;
  }

  backward(dy: Float32Array, n: number): Float32Array {
    const I = this.inSize;
    const O = this.outSize;
    const x = this.input;
    const wv = this.weight.value;
    const wg = this.weight.grad;
    const bg = this.bias.grad;
    const dx = new Float32Array(n * I);
    for (let b = 0; b < n; b++) {
      for (let o = 0; o < O; o++) {
        const d = dy[b * O + o]!;
        if (d === 0) continue;
        bg[o]! += d;
        const wRow = o * I;
        const xRow = b * I;
        for (let i = 0; i < I; i++) {
          wg[wRow + i]! += d * x[xRow + i]!;
          dx[xRow + i]! += d * wv[wRow + i]!;
        }
      }
    }
    return dx;
  }
}

export interface LossResult {
  /** Mean cross-entropy over the batch. */
  loss: number;
  correct: number;
  /** d(mean loss)/d(logits). */
  dLogits: Float32Array;
}

/** Softmax cross-entropy over `classes` logits per sample. */
export function softmaxCrossEntropy(logits: Float32Array, labels: ArrayLike<number>, n: number, classes: number): LossResult {
  const d = new Float32Array(logits.length);
  let loss = 0;
  let correct = 0;
  for (let b = 0; b < n; b++) {
    const base = b * classes;
    let max = -Infinity;
    let arg = 0;
    for (let k = 0; k < classes; k++) {
      if (logits[base + k]! > max) {
        max = logits[base + k]!;
        arg = k;
      }
    }
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[base + k]! - max);
    const label = labels[b]!;
    loss += Math.log(sum) - (logits[base + label]! - max);
    if (arg === label) correct++;
    for (let k = 0; k < classes; k++) d[base + k] = (Math.exp(logits[base + k]! - max) / sum - (k === label ? 1 : 0)) / n;
  }
  return { loss: loss / n, correct, dLogits: d };
}

/** A sequential network ending in logits. */
export class Network {
  readonly layers: Layer[];
  readonly params: Param[];
  readonly classes: number;

  constructor(layers: Layer[], classes: number) {
    this.layers = layers;
    this.params = layers.flatMap((l) => l.params);
    this.classes = classes;
  }

  forward(x: Float32Array, n: number): Float32Array {
    let a = x;
    for (const l of this.layers) a = l.forward(a, n);
    return a;
  }

  /** Forward, loss and backward on one batch; parameter gradients are overwritten. */
  gradients(x: Float32Array, labels: ArrayLike<number>, n: number): LossResult {
    for (const p of this.params) p.grad.fill(0);
    const out = softmaxCrossEntropy(this.forward(x, n), labels, n, this.classes);
    let d = out.dLogits;
    for (let i = this.layers.length - 1; i >= 0; i--) d = this.layers[i]!.backward(d, n);
    return out;
  }
}

export interface CnnConfig {
  imageSize: number;
  channels: [number, number];
  hidden: number;
  classes: number;
}

/** conv3×3 → relu → pool → conv3×3 → relu → pool → fc → relu → fc. */
export function smallCnn(cfg: CnnConfig, rng: Rng): Network {
  const layers: Layer[] = [];
  let shape: Shape = { c: 1, h: cfg.imageSize, w: cfg.imageSize };
  const push = (l: Layer) => {
    layers.push(l);
    shape = l.outShape(shape);
  };
  push(new Conv2d('conv1', shape, cfg.channels[0], 3, rng));
  push(new Relu());
  push(new MaxPool2(shape));
  push(new Conv2d('conv2', shape, cfg.channels[1], 3, rng));
  push(new Relu());
  push(new MaxPool2(shape));
  push(new Dense('fc1', shape, cfg.hidden, rng));
  push(new Relu());
  push(new Dense('fc2', shape, cfg.classes, rng));
  return new Network(layers, cfg.classes);
}
