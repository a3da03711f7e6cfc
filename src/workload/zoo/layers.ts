import { AccelmapError } from '../../util/errors.js';
import type { ConvOptions, GraphBuilder } from '../builder.js';

/** Layer patterns shared by several zoo families. */

/** Convolution, then ReLU. */
export function convRelu(g: GraphBuilder, x: string, out: number, o: ConvOptions): string {
  return g.relu(g.conv(x, out, { bias: true, ...o }), `${o.name ?? 'conv'}.relu`);
}

/** Convolution without bias, batch normalization, then ReLU (torchvision's BasicConv2d / ConvBNReLU). */
export function convBnRelu(g: GraphBuilder, x: string, out: number, o: ConvOptions): string {
  const name = o.name ?? 'conv';
  return g.relu(g.batchNorm(g.conv(x, out, { ...o, bias: false }), `${name}.bn`), `${name}.relu`);
}

/** Fully connected layer, then ReLU. */
export function linearRelu(g: GraphBuilder, x: string, out: number, name: string): string {
  return g.relu(g.linear(x, out, { name }), `${name}.relu`);
}

/**
 * PyTorch's AdaptiveAvgPool2d to `target`×`target`: nothing when the map is
 * already that size, an average pool when the size is a multiple of it.
 */
export function adaptiveAvgPool(g: GraphBuilder, x: string, target: number, name = 'avgpool'): string {
  const side = g.shape(x)[2]!;
  if (side === target) return x;
  if (side % target !== 0) {
    throw new AccelmapError('unsupported', `an adaptive average pool from ${side}×${side} to ${target}×${target} is not modeled`, {}, 'choose an --image-size whose feature map is a multiple of the target');
  }
  return g.avgPool(x, { kernel: side / target, stride: side / target, name });
}

/** Clipped ReLU min(max(x, 0), ceiling), as ReLU6 (ceiling 6) and Deep Speech's (ceiling 20). */
export function clippedRelu(g: GraphBuilder, x: string, ceiling: number, name = 'clip'): string {
  return g.op('Clip', [x, g.constant(`${name}.min`, [0], [], g.dtype), g.constant(`${name}.max`, [ceiling], [], g.dtype)], {}, name);
}

/** One unidirectional LSTM layer over [N, L, I] (batch-major, ONNX layout 1) → [N, L, hidden]. */
export function lstm(g: GraphBuilder, x: string, hidden: number, name: string): string {
  const [n, l, i] = g.shape(x) as [number, number, number];
  const W = g.weight(`${name}.W`, [1, 4 * hidden, i]);
  const R = g.weight(`${name}.R`, [1, 4 * hidden, hidden]);
  const B = g.weight(`${name}.B`, [1, 8 * hidden]);
  const y = g.op('LSTM', [x, W, R, B], { hidden_size: hidden, layout: 1 }, name);
  return g.reshape(y, [n, l, hidden], `${name}.out`);
}
