import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import { adaptiveAvgPool, convRelu, linearRelu } from './layers.js';
import type { ZooOptions } from './types.js';

/**
 * VGG (Simonyan & Zisserman 2014) as torchvision defines it: blocks of 3×3
 * convolutions (padding 1, ReLU) separated by 2×2 max pools, then three
 * fully connected layers with dropout. Configuration D is VGG-16, E is VGG-19.
 */
export const VGG_BLOCKS = {
  vgg16: [2, 2, 3, 3, 3],
  vgg19: [2, 2, 4, 4, 4],
} as const;

const WIDTHS = [64, 128, 256, 512, 512];

export function vgg(name: string, blocks: readonly number[], o: ZooOptions): Graph {
  const g = new GraphBuilder(name, { batch: o.batch, dtype: o.dtype });
  const size = o.imageSize ?? 224;
  let x = g.input('image', [o.batch, 3, size, size]);
  blocks.forEach((convs, b) => {
    for (let i = 0; i < convs; i++) x = convRelu(g, x, WIDTHS[b]!, { kernel: 3, pad: 1, name: `conv${b + 1}_${i + 1}` });
    x = g.maxPool(x, { kernel: 2, stride: 2, name: `pool${b + 1}` });
  });
  x = g.flatten(adaptiveAvgPool(g, x, 7), 1, 'flatten');
  x = g.dropout(linearRelu(g, x, 4096, 'fc6'), 0.5, 'drop6');
  x = g.dropout(linearRelu(g, x, 4096, 'fc7'), 0.5, 'drop7');
  return g.build([g.linear(x, 1000, { name: 'fc8' })]);
}
