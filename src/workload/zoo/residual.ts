import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import { convRelu } from './layers.js';
import type { ZooOptions } from './types.js';

/**
 * Fathom's `residual`: a residual network of bottleneck blocks without batch
 * normalization, all at one resolution after the stem. A 7×7/2 convolution
 * to 64 channels and a 3×3/2 max pool, a 1×1 convolution to 128, then four
 * stages of three bottlenecks (1×1 to w, 3×3 at w, 1×1 back, each with ReLU,
 * added to the block input) at widths (128, 32), (256, 64), (512, 128),
 * (1024, 256), with a bias-free 1×1 convolution widening between stages;
 * global average pool and a bias-free classifier. 224×224 input.
 */
const STAGES = [
  { filters: 128, bottleneck: 32 },
  { filters: 256, bottleneck: 64 },
  { filters: 512, bottleneck: 128 },
  { filters: 1024, bottleneck: 256 },
];

export function residual(o: ZooOptions): Graph {
  const g = new GraphBuilder('residual', { batch: o.batch, dtype: o.dtype });
  const size = o.imageSize ?? 224;
  let x = g.input('image', [o.batch, 3, size, size]);
  x = convRelu(g, x, 64, { kernel: 7, stride: 2, pad: 'same', name: 'conv1' });
  x = g.maxPool(x, { kernel: 3, stride: 2, pad: 1, name: 'pool1' });
  x = g.conv(x, STAGES[0]!.filters, { kernel: 1, bias: true, name: 'conv2' });
  STAGES.forEach((stage, s) => {
    for (let r = 0; r < 3; r++) {
      x = g.scope(`block${s}.repeat${r}`, () => {
        let y = convRelu(g, x, stage.bottleneck, { kernel: 1, name: 'conv_in' });
        y = convRelu(g, y, stage.bottleneck, { kernel: 3, pad: 'same', name: 'conv_bottleneck' });
        y = convRelu(g, y, stage.filters, { kernel: 1, name: 'conv_out' });
        return g.add(y, x, 'add');
      });
    }
    const next = STAGES[s + 1];
    if (next) x = g.conv(x, next.filters, { kernel: 1, name: `block${s}.conv_upscale` });
  });
  x = g.flatten(g.globalAvgPool(x, 'avgpool'), 1, 'flatten');
  return g.build([g.linear(x, 1000, { bias: false, name: 'fc' })]);
}
