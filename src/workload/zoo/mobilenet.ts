import { GraphBuilder, type ConvOptions } from '../builder.js';
import type { Graph } from '../graph.js';
import { clippedRelu } from './layers.js';
import type { ZooOptions } from './types.js';

/**
 * MobileNetV2 (Sandler et al. 2018) as torchvision defines it (width 1.0):
 * a 3×3/2 stem to 32 channels, 17 inverted residual blocks (1×1 expansion
 * by t, 3×3 depthwise, 1×1 linear projection; a residual add when the
 * stride is 1 and the width is kept), a 1×1 convolution to 1280, global
 * average pool, dropout and a 1000-way classifier. Convolutions have no
 * bias and are followed by batch normalization; ReLU6 is a Clip to [0, 6].
 */
const SETTINGS = [
  // expansion t, output channels c, repeats n, first stride s
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
] as const;

function convBn(g: GraphBuilder, x: string, out: number, o: ConvOptions, relu6: boolean): string {
  const name = o.name!;
  const y = g.batchNorm(g.conv(x, out, o), `${name}.bn`);
  return relu6 ? clippedRelu(g, y, 6, `${name}.relu6`) : y;
}

export function mobilenetV2(o: ZooOptions): Graph {
  const g = new GraphBuilder('mobilenet_v2', { batch: o.batch, dtype: o.dtype });
  const size = o.imageSize ?? 224;
  let x = g.input('image', [o.batch, 3, size, size]);
  x = convBn(g, x, 32, { kernel: 3, stride: 2, pad: 1, name: 'features.0' }, true);
  let inC = 32;
  let index = 1;
  for (const [t, c, n, s] of SETTINGS) {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      x = g.scope(`features.${index++}`, () => {
        const hidden = inC * t;
        let y = x;
        if (t !== 1) y = convBn(g, y, hidden, { kernel: 1, name: 'expand' }, true);
        y = convBn(g, y, hidden, { kernel: 3, stride, pad: 1, group: hidden, name: 'depthwise' }, true);
        y = convBn(g, y, c, { kernel: 1, name: 'project' }, false);
        return stride === 1 && inC === c ? g.add(x, y, 'add') : y;
      });
      inC = c;
    }
  }
  x = convBn(g, x, 1280, { kernel: 1, name: `features.${index}` }, true);
  x = g.dropout(g.flatten(g.globalAvgPool(x, 'avgpool'), 1, 'flatten'), 0.2, 'dropout');
  return g.build([g.linear(x, 1000, { name: 'classifier' })]);
}
