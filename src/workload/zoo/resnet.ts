import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import type { ZooOptions } from './types.js';

/**
 * ResNets as in torchvision (He et al. 2016, "v1.5": the stride of a
 * bottleneck sits on its 3×3 convolution). `basic` blocks for ResNet-18/34,
 * `bottleneck` blocks (1×1, 3×3, 1×1 with expansion 4) for ResNet-50 and up.
 */
export interface ResNetConfig {
  name: string;
  block: 'basic' | 'bottleneck';
  layers: number[];
  widths?: number[];
  classes?: number;
  /** Stem: 7×7/2 conv + 3×3/2 max pool (ImageNet) or a 3×3/1 conv (CIFAR-style). */
  stem?: 'imagenet' | 'cifar';
}

export function resnet(cfg: ResNetConfig, o: ZooOptions): Graph {
  const size = o.imageSize ?? (cfg.stem === 'cifar' ? 32 : 224);
  const g = new GraphBuilder(cfg.name, { batch: o.batch, dtype: o.dtype });
  const widths = cfg.widths ?? [64, 128, 256, 512];
  const expansion = cfg.block === 'bottleneck' ? 4 : 1;
  let x = g.input('image', [o.batch, 3, size, size]);
  if (cfg.stem === 'cifar') {
    x = g.relu(g.batchNorm(g.conv(x, widths[0]!, { kernel: 3, pad: 1, name: 'conv1' }), 'bn1'), 'relu');
  } else {
    x = g.relu(g.batchNorm(g.conv(x, widths[0]!, { kernel: 7, stride: 2, pad: 3, name: 'conv1' }), 'bn1'), 'relu');
    x = g.maxPool(x, { kernel: 3, stride: 2, pad: 1, name: 'maxpool' });
  }
  let inC = widths[0]!;
  cfg.layers.forEach((blocks, li) => {
    const width = widths[li]!;
    for (let b = 0; b < blocks; b++) {
      const stride = li > 0 && b === 0 ? 2 : 1;
      x = g.scope(`layer${li + 1}.${b}`, () => {
        const identity = x;
        let y: string;
        if (cfg.block === 'basic') {
          y = g.relu(g.batchNorm(g.conv(x, width, { kernel: 3, stride, pad: 1, name: 'conv1' }), 'bn1'), 'relu1');
          y = g.batchNorm(g.conv(y, width, { kernel: 3, pad: 1, name: 'conv2' }), 'bn2');
        } else {
          y = g.relu(g.batchNorm(g.conv(x, width, { kernel: 1, name: 'conv1' }), 'bn1'), 'relu1');
          y = g.relu(g.batchNorm(g.conv(y, width, { kernel: 3, stride, pad: 1, name: 'conv2' }), 'bn2'), 'relu2');
          y = g.batchNorm(g.conv(y, width * expansion, { kernel: 1, name: 'conv3' }), 'bn3');
        }
        const shortcut = stride !== 1 || inC !== width * expansion ? g.batchNorm(g.conv(identity, width * expansion, { kernel: 1, stride, name: 'downsample.conv' }), 'downsample.bn') : identity;
        return g.relu(g.add(y, shortcut, 'add'), 'relu_out');
      });
      inC = width * expansion;
    }
  });
  x = g.flatten(g.globalAvgPool(x, 'avgpool'), 1, 'flatten');
  x = g.linear(x, cfg.classes ?? 1000, { name: 'fc' });
  return g.build([x]);
}
