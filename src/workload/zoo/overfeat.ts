import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import { convRelu, linearRelu } from './layers.js';
import type { ZooOptions } from './types.js';

/**
 * OverFeat (Sermanet et al. 2014), the classifier of its two published
 * models (Tables 1 and 3 of the paper), with ReLU after every layer and
 * dropout before the last two fully connected layers. Fast: 231×231 input,
 * 5 convolutions and 3 fully connected layers. Accurate: 221×221 input,
 * 6 convolutions and 3 fully connected layers.
 */
interface Layer {
  filters: number;
  kernel: number;
  stride?: number;
  pad?: number;
  /** Max pool after the layer: kernel = stride. */
  pool?: number;
}

const MODELS: Record<'fast' | 'accurate', { image: number; convs: Layer[]; fc: number[] }> = {
  fast: {
    image: 231,
    convs: [
      { filters: 96, kernel: 11, stride: 4, pool: 2 },
      { filters: 256, kernel: 5, pool: 2 },
      { filters: 512, kernel: 3, pad: 1 },
      { filters: 1024, kernel: 3, pad: 1 },
      { filters: 1024, kernel: 3, pad: 1, pool: 2 },
    ],
    fc: [3072, 4096],
  },
  accurate: {
    image: 221,
    convs: [
      { filters: 96, kernel: 7, stride: 2, pool: 3 },
      { filters: 256, kernel: 7, pool: 2 },
      { filters: 512, kernel: 3, pad: 1 },
      { filters: 512, kernel: 3, pad: 1 },
      { filters: 1024, kernel: 3, pad: 1 },
      { filters: 1024, kernel: 3, pad: 1, pool: 3 },
    ],
    fc: [4096, 4096],
  },
};

export function overfeat(variant: 'fast' | 'accurate', o: ZooOptions): Graph {
  const spec = MODELS[variant];
  const g = new GraphBuilder(variant === 'fast' ? 'overfeat' : 'overfeat_accurate', { batch: o.batch, dtype: o.dtype });
  const size = o.imageSize ?? spec.image;
  let x = g.input('image', [o.batch, 3, size, size]);
  spec.convs.forEach((l, i) => {
    x = convRelu(g, x, l.filters, { kernel: l.kernel, stride: l.stride ?? 1, pad: l.pad ?? 0, name: `conv${i + 1}` });
    if (l.pool) x = g.maxPool(x, { kernel: l.pool, stride: l.pool, name: `pool${i + 1}` });
  });
  x = g.flatten(x, 1, 'flatten');
  spec.fc.forEach((units, i) => {
    const layer = spec.convs.length + i + 1;
    x = g.dropout(linearRelu(g, x, units, `fc${layer}`), 0.5, `drop${layer}`);
  });
  return g.build([g.linear(x, 1000, { name: `fc${spec.convs.length + spec.fc.length + 1}` })]);
}
