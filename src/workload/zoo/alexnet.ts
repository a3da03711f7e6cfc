import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import { adaptiveAvgPool, convRelu, linearRelu } from './layers.js';
import type { ZooOptions } from './types.js';

/**
 * AlexNet as torchvision defines it (Krizhevsky 2014, "one weird trick":
 * 64-192-384-256-256 filters, no LRN, no channel groups) — the widths
 * Fathom's AlexNet uses too. 224×224 input, 1000 classes.
 */
export function alexnet(o: ZooOptions): Graph {
  const g = new GraphBuilder('alexnet', { batch: o.batch, dtype: o.dtype });
  const size = o.imageSize ?? 224;
  let x = g.input('image', [o.batch, 3, size, size]);
  x = g.maxPool(convRelu(g, x, 64, { kernel: 11, stride: 4, pad: 2, name: 'conv1' }), { kernel: 3, stride: 2, name: 'pool1' });
  x = g.maxPool(convRelu(g, x, 192, { kernel: 5, pad: 2, name: 'conv2' }), { kernel: 3, stride: 2, name: 'pool2' });
  x = convRelu(g, x, 384, { kernel: 3, pad: 1, name: 'conv3' });
  x = convRelu(g, x, 256, { kernel: 3, pad: 1, name: 'conv4' });
  x = g.maxPool(convRelu(g, x, 256, { kernel: 3, pad: 1, name: 'conv5' }), { kernel: 3, stride: 2, name: 'pool5' });
  x = g.flatten(adaptiveAvgPool(g, x, 6), 1, 'flatten');
  x = linearRelu(g, g.dropout(x, 0.5, 'drop6'), 4096, 'fc6');
  x = linearRelu(g, g.dropout(x, 0.5, 'drop7'), 4096, 'fc7');
  return g.build([g.linear(x, 1000, { name: 'fc8' })]);
}

/**
 * AlexNet as Krizhevsky et al. (2012) trained it on two GPUs and Caffe ships
 * it (bvlc_alexnet): 227×227 input, 96-256-384-384-256 filters, local
 * response normalization (5 channels) after the first two layers, and
 * conv2, conv4 and conv5 split into two groups — the AlexNet that vDNN
 * (MICRO'16) and other training-memory studies measured.
 */
export function alexnetCaffe(o: ZooOptions): Graph {
  const g = new GraphBuilder('alexnet_caffe', { batch: o.batch, dtype: o.dtype });
  const size = o.imageSize ?? 227;
  const lrn = (x: string, name: string) => g.op('LRN', [x], { size: 5, alpha: 1e-4, beta: 0.75 }, name);
  let x = g.input('image', [o.batch, 3, size, size]);
  x = g.maxPool(lrn(convRelu(g, x, 96, { kernel: 11, stride: 4, name: 'conv1' }), 'norm1'), { kernel: 3, stride: 2, name: 'pool1' });
  x = g.maxPool(lrn(convRelu(g, x, 256, { kernel: 5, pad: 2, group: 2, name: 'conv2' }), 'norm2'), { kernel: 3, stride: 2, name: 'pool2' });
  x = convRelu(g, x, 384, { kernel: 3, pad: 1, name: 'conv3' });
  x = convRelu(g, x, 384, { kernel: 3, pad: 1, group: 2, name: 'conv4' });
  x = g.maxPool(convRelu(g, x, 256, { kernel: 3, pad: 1, group: 2, name: 'conv5' }), { kernel: 3, stride: 2, name: 'pool5' });
  x = g.dropout(linearRelu(g, g.flatten(x, 1, 'flatten'), 4096, 'fc6'), 0.5, 'drop6');
  x = g.dropout(linearRelu(g, x, 4096, 'fc7'), 0.5, 'drop7');
  return g.build([g.linear(x, 1000, { name: 'fc8' })]);
}
