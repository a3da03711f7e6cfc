import { Conv2d, Dense, MaxPool2, Network, type Layer, type Param, type Shape } from '../../scaleout/demo/net.js';
import type { Rng } from '../../util/rng.js';
import { pactAlphaGradient, pactQuantizer } from '../clipping.js';

/**
 * ReLU, or PACT once `bits` is set: y = quantize(clip(x, 0, α)) on 2^bits − 1
 * steps, α a trained parameter (∂y/∂x = 1 on (0, α), ∂y/∂α = 1 where x ≥ α:
 * the straight-through estimator).
 */
export class PactRelu implements Layer {
  readonly params: Param[];
  readonly alpha: Param;
  bits: number | null = null;
  private input: Float32Array = new Float32Array(0);

  constructor(name: string) {
    this.alpha = { name: `${name}.alpha`, layerClass: 'activation', value: Float32Array.of(1), grad: new Float32Array(1) };
    this.params = [this.alpha];
  }

  outShape(input: Shape): Shape {
    return input;
  }

  forward(x: Float32Array): Float32Array {
    this.input = x;
    const a = this.alpha.value[0]!;
    const bits = this.bits;
    return bits === null ? x.map((v) => (v > 0 ? v : 0)) : x.map(pactQuantizer(a, bits));
  }

  backward(dy: Float32Array): Float32Array {
    const a = this.alpha.value[0]!;
    const x = this.input;
    const dx = new Float32Array(dy.length);
    let da = 0;
    for (let i = 0; i < dy.length; i++) {
      if (this.bits === null) dx[i] = x[i]! > 0 ? dy[i]! : 0;
      else if (pactAlphaGradient(x[i]!, a)) da += dy[i]!;
      else dx[i] = x[i]! > 0 ? dy[i]! : 0;
    }
    this.alpha.grad[0]! += da;
    return dx;
  }
}

/** A LeNet-5-class network: conv5×5 (6) → act → pool → conv5×5 (16) → act → pool → fc 120 → act → fc 84 → act → fc 10. */
export interface LeNet {
  net: Network;
  /** The activations feeding conv2, fc1, fc2 and fc3, in order. */
  acts: PactRelu[];
  /** The weighted layers' (weight, bias) in order: conv1, conv2, fc1, fc2, fc3. */
  weighted: { weight: Param; bias: Param }[];
}

export function lenet(side: number, rng: Rng): LeNet {
  const layers: Layer[] = [];
  const acts: PactRelu[] = [];
  const weighted: LeNet['weighted'] = [];
  let shape: Shape = { c: 1, h: side, w: side };
  const push = (l: Layer) => {
    layers.push(l);
    shape = l.outShape(shape);
    if (l.params.length === 2) weighted.push({ weight: l.params[0]!, bias: l.params[1]! });
  };
  const act = (name: string) => {
    const a = new PactRelu(name);
    acts.push(a);
    push(a);
  };
  push(new Conv2d('conv1', shape, 6, 5, rng));
  act('act1');
  push(new MaxPool2(shape));
  push(new Conv2d('conv2', shape, 16, 5, rng));
  act('act2');
  push(new MaxPool2(shape));
  push(new Dense('fc1', shape, 120, rng));
  act('act3');
  push(new Dense('fc2', shape, 84, rng));
  act('act4');
  push(new Dense('fc3', shape, 10, rng));
  return { net: new Network(layers, 10), acts, weighted };
}
