import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import { convBnRelu } from './layers.js';
import type { ZooOptions } from './types.js';

/**
 * GoogLeNet / Inception v1 (Szegedy et al. 2014) as torchvision defines it:
 * every convolution is bias-free and followed by batch normalization and
 * ReLU; max pools round up (ceil mode); nine inception modules; no
 * auxiliary classifiers (inference form). As in torchvision, the module's
 * third branch uses a 3×3 convolution where the paper has 5×5.
 */
type Inception = [ch1x1: number, ch3x3red: number, ch3x3: number, ch5x5red: number, ch5x5: number, poolProj: number];

const MODULES: Record<string, Inception> = {
  inception3a: [64, 96, 128, 16, 32, 32],
  inception3b: [128, 128, 192, 32, 96, 64],
  inception4a: [192, 96, 208, 16, 48, 64],
  inception4b: [160, 112, 224, 24, 64, 64],
  inception4c: [128, 128, 256, 24, 64, 64],
  inception4d: [112, 144, 288, 32, 64, 64],
  inception4e: [256, 160, 320, 32, 128, 128],
  inception5a: [256, 160, 320, 32, 128, 128],
  inception5b: [384, 192, 384, 48, 128, 128],
};

/** Max pools after these modules (2×2/2 after 4e, 3×3/2 after 3b). */
const POOL_AFTER: Record<string, { kernel: number; name: string }> = {
  inception3b: { kernel: 3, name: 'maxpool3' },
  inception4e: { kernel: 2, name: 'maxpool4' },
};

function inception(g: GraphBuilder, x: string, name: string, [c1, c3r, c3, c5r, c5, pp]: Inception): string {
  return g.scope(name, () => {
    const b1 = convBnRelu(g, x, c1, { kernel: 1, name: 'branch1' });
    const b2 = convBnRelu(g, convBnRelu(g, x, c3r, { kernel: 1, name: 'branch2.0' }), c3, { kernel: 3, pad: 1, name: 'branch2.1' });
    const b3 = convBnRelu(g, convBnRelu(g, x, c5r, { kernel: 1, name: 'branch3.0' }), c5, { kernel: 3, pad: 1, name: 'branch3.1' });
    const b4 = convBnRelu(g, g.maxPool(x, { kernel: 3, stride: 1, pad: 1, ceil: true, name: 'branch4.0' }), pp, { kernel: 1, name: 'branch4.1' });
    return g.concat([b1, b2, b3, b4], 1, 'concat');
  });
}

export function googlenet(o: ZooOptions): Graph {
  const g = new GraphBuilder('googlenet', { batch: o.batch, dtype: o.dtype });
  const size = o.imageSize ?? 224;
  let x = g.input('image', [o.batch, 3, size, size]);
  x = convBnRelu(g, x, 64, { kernel: 7, stride: 2, pad: 3, name: 'conv1' });
  x = g.maxPool(x, { kernel: 3, stride: 2, ceil: true, name: 'maxpool1' });
  x = convBnRelu(g, x, 64, { kernel: 1, name: 'conv2' });
  x = convBnRelu(g, x, 192, { kernel: 3, pad: 1, name: 'conv3' });
  x = g.maxPool(x, { kernel: 3, stride: 2, ceil: true, name: 'maxpool2' });
  for (const [name, spec] of Object.entries(MODULES)) {
    x = inception(g, x, name, spec);
    const pool = POOL_AFTER[name];
    if (pool) x = g.maxPool(x, { kernel: pool.kernel, stride: 2, ceil: true, name: pool.name });
  }
  x = g.dropout(g.flatten(g.globalAvgPool(x, 'avgpool'), 1, 'flatten'), 0.2, 'dropout');
  return g.build([g.linear(x, 1000, { name: 'fc' })]);
}
