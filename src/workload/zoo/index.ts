import { AccelmapError } from '../../util/errors.js';
import type { Graph } from '../graph.js';
import { resnet } from './resnet.js';
import type { ZooEntry, ZooOptions } from './types.js';

/** The reference model zoo: structure only (no weights). */
export const ZOO: ZooEntry[] = [
  {
    name: 'resnet50',
    family: 'modern',
    description: 'ResNet-50 (torchvision v1.5), 224×224 ImageNet classifier',
    defaults: { imageSize: 224 },
    published: { params: 25.557e6, macs: 4.09e9, source: 'He et al. 2016; torchvision model card (25.6 M params, 4.09 GMACs)' },
    build: (o) => resnet({ name: 'resnet50', block: 'bottleneck', layers: [3, 4, 6, 3] }, o),
  },
];

export function zooEntry(name: string): ZooEntry {
  const e = ZOO.find((z) => z.name === name.toLowerCase());
  if (!e) throw new AccelmapError('unknown-model', `unknown model '${name}'`, {}, `run \`accelmap models\` for the zoo, or give a path to an .onnx file`);
  return e;
}

export function buildZooModel(name: string, options: Partial<ZooOptions> = {}): Graph {
  const e = zooEntry(name);
  return e.build({ batch: 1, ...e.defaults, ...stripUndefined(options) });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
