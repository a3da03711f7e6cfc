import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import { convRelu, linearRelu } from './layers.js';
import type { ZooOptions } from './types.js';

/**
 * Fathom's `deepq`: the Atari deep Q-network (Mnih et al. 2015). Four
 * stacked 84×84 frames; convolutions 8×8/4 → 32, 4×4/2 → 64, 3×3/1 → 64
 * (no padding, ReLU); a 512-unit fully connected layer; one Q-value per
 * action (4, Breakout's action set). Trained on the squared TD error.
 */
export const DEEPQ_ACTIONS = 4;

export function deepq(o: ZooOptions): Graph {
  const g = new GraphBuilder('deepq', { batch: o.batch, dtype: o.dtype });
  const size = o.imageSize ?? 84;
  let x = g.input('frames', [o.batch, 4, size, size]);
  x = convRelu(g, x, 32, { kernel: 8, stride: 4, name: 'conv1' });
  x = convRelu(g, x, 64, { kernel: 4, stride: 2, name: 'conv2' });
  x = convRelu(g, x, 64, { kernel: 3, stride: 1, name: 'conv3' });
  x = linearRelu(g, g.flatten(x, 1, 'flatten'), 512, 'fc4');
  return g.build([g.linear(x, DEEPQ_ACTIONS, { name: 'fc5' })]);
}
