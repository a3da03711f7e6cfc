import { AccelmapError } from '../../util/errors.js';
import type { Graph } from '../graph.js';
import { alexnet, alexnetCaffe } from './alexnet.js';
import { autoenc } from './autoenc.js';
import { deepq } from './deepq.js';
import { googlenet } from './googlenet.js';
import { lstmLm } from './lstm_lm.js';
import { memnet } from './memnet.js';
import { mobilenetV2 } from './mobilenet.js';
import { overfeat } from './overfeat.js';
import { residual } from './residual.js';
import { resnet } from './resnet.js';
import { seq2seq } from './seq2seq.js';
import { speech } from './speech.js';
import { bert, gpt2, vitB16 } from './transformer.js';
import type { ZooEntry, ZooOptions } from './types.js';
import { vgg, VGG_BLOCKS } from './vgg.js';
import { suggest } from '../../util/suggest.js';

/**
 * The reference model zoo: structure only (no weights). Published figures
 * are parameters and MACs at batch 1 with the defaults. torchvision lists
 * its MAC counts under the heading "GFLOPS" (ResNet-50: 4.09); they are
 * multiply-accumulates.
 */
const TORCHVISION = 'torchvision model card (num_params; "GFLOPS", which counts multiply-accumulates)';

export const ZOO: ZooEntry[] = [
  // ------------------------------------------------------------ Fathom (Adolf et al., IISWC 2016)
  {
    name: 'alexnet',
    family: 'fathom',
    description: 'AlexNet (torchvision: 64-192-384-256-256, no LRN), 224×224 ImageNet',
    defaults: { imageSize: 224 },
    published: { params: 61_100_840, macs: 0.71e9, source: `${TORCHVISION}: AlexNet 61,100,840 params, 0.71 GMACs` },
    loss: 'cross-entropy',
    build: alexnet,
  },
  {
    name: 'vgg',
    family: 'fathom',
    description: 'VGG-19 (torchvision), 3×3 conv blocks, 224×224 ImageNet',
    defaults: { imageSize: 224 },
    published: { params: 143_667_240, macs: 19.63e9, source: `${TORCHVISION}: VGG-19 143,667,240 params, 19.63 GMACs` },
    loss: 'cross-entropy',
    build: (o) => vgg('vgg', VGG_BLOCKS.vgg19, o),
  },
  {
    name: 'residual',
    family: 'fathom',
    description: "Fathom's residual net: 12 bottleneck blocks at 56×56, no batch norm, 224×224",
    defaults: { imageSize: 224 },
    loss: 'cross-entropy',
    build: residual,
  },
  {
    name: 'deepq',
    family: 'fathom',
    description: 'Atari deep Q-network: 84×84×4 → conv 32, 64, 64 → FC 512 → 4 actions',
    defaults: { imageSize: 84 },
    loss: 'mse',
    build: deepq,
  },
  {
    name: 'seq2seq',
    family: 'fathom',
    description: 'translation: 3-layer LSTM 256 encoder–decoder with attention, 40k vocabularies, 40→50 words',
    defaults: { seqLen: 40 },
    loss: 'cross-entropy',
    build: seq2seq,
  },
  {
    name: 'memnet',
    family: 'fathom',
    description: 'end-to-end memory network, 3 hops, 50 memories, embedding 20 (bAbI)',
    defaults: { seqLen: 7 },
    loss: 'cross-entropy',
    build: memnet,
  },
  {
    name: 'speech',
    family: 'fathom',
    description: 'Deep Speech: 3 FC 1024 + bidirectional RNN 1024 + 62-label output, 1566 frames',
    defaults: { seqLen: 1566 },
    loss: 'cross-entropy',
    build: speech,
  },
  {
    name: 'autoenc',
    family: 'fathom',
    description: 'variational autoencoder 784–200–784 (MNIST)',
    defaults: {},
    loss: 'mse',
    build: autoenc,
  },
  // ------------------------------------------------------------ modern
  {
    name: 'resnet18',
    family: 'modern',
    description: 'ResNet-18 (torchvision), 224×224 ImageNet',
    defaults: { imageSize: 224 },
    published: { params: 11_689_512, macs: 1.81e9, source: `${TORCHVISION}: ResNet-18 11,689,512 params, 1.81 GMACs` },
    loss: 'cross-entropy',
    build: (o) => resnet({ name: 'resnet18', block: 'basic', layers: [2, 2, 2, 2] }, o),
  },
  {
    name: 'resnet50',
    family: 'modern',
    description: 'ResNet-50 (torchvision v1.5), 224×224 ImageNet',
    defaults: { imageSize: 224 },
    published: { params: 25_557_032, macs: 4.09e9, source: `${TORCHVISION}: ResNet-50 25,557,032 params, 4.09 GMACs` },
    loss: 'cross-entropy',
    build: (o) => resnet({ name: 'resnet50', block: 'bottleneck', layers: [3, 4, 6, 3] }, o),
  },
  {
    name: 'vgg16',
    family: 'modern',
    description: 'VGG-16 (torchvision), 224×224 ImageNet',
    defaults: { imageSize: 224 },
    published: { params: 138_357_544, macs: 15.47e9, source: `${TORCHVISION}: VGG-16 138,357,544 params, 15.47 GMACs` },
    loss: 'cross-entropy',
    build: (o) => vgg('vgg16', VGG_BLOCKS.vgg16, o),
  },
  {
    name: 'mobilenet_v2',
    family: 'modern',
    description: 'MobileNetV2 (torchvision, width 1.0), 224×224 ImageNet',
    defaults: { imageSize: 224 },
    published: { params: 3_504_872, macs: 0.3e9, source: `${TORCHVISION}: MobileNet V2 3,504,872 params, 0.30 GMACs` },
    loss: 'cross-entropy',
    build: mobilenetV2,
  },
  {
    name: 'googlenet',
    family: 'modern',
    description: 'GoogLeNet / Inception v1 (torchvision, batch norm, no aux heads), 224×224',
    defaults: { imageSize: 224 },
    published: { params: 6_624_904, macs: 1.5e9, source: `${TORCHVISION}: GoogLeNet 6,624,904 params, 1.50 GMACs` },
    loss: 'cross-entropy',
    build: googlenet,
  },
  {
    name: 'overfeat',
    family: 'modern',
    description: 'OverFeat fast model, 231×231',
    defaults: { imageSize: 231 },
    published: { params: 145e6, macs: 2.81e9, source: 'Sermanet et al. 2014, OverFeat, fast model: 145 M parameters, 2810 M connections (multiply-adds)' },
    loss: 'cross-entropy',
    build: (o) => overfeat('fast', o),
  },
  {
    name: 'overfeat_accurate',
    family: 'modern',
    description: 'OverFeat accurate model, 221×221',
    defaults: { imageSize: 221 },
    published: { params: 144e6, macs: 5.369e9, source: 'Sermanet et al. 2014, OverFeat, accurate model: 144 M parameters, 5369 M connections (multiply-adds)' },
    loss: 'cross-entropy',
    build: (o) => overfeat('accurate', o),
  },
  {
    name: 'alexnet_caffe',
    family: 'modern',
    description: 'AlexNet as trained on two GPUs (Caffe bvlc_alexnet: 96-256-384-384-256, LRN, grouped conv2/4/5), 227×227',
    defaults: { imageSize: 227 },
    published: { params: 60_965_224, source: 'Caffe bvlc_alexnet: 60,965,224 parameters' },
    loss: 'cross-entropy',
    build: alexnetCaffe,
  },
  {
    name: 'bert_base',
    family: 'modern',
    description: 'BERT-base uncased encoder with pooler (HuggingFace BertModel), 128 tokens',
    defaults: { seqLen: 128 },
    published: { params: 109_482_240, source: 'HuggingFace bert-base-uncased BertModel: 109,482,240 parameters (Devlin et al. 2018: 110 M)' },
    loss: 'mse',
    lossOutput: 1,
    build: bert,
  },
  {
    name: 'gpt2',
    family: 'modern',
    description: 'GPT-2 small with tied LM head (HuggingFace GPT2LMHeadModel), 1024 tokens',
    defaults: { seqLen: 1024 },
    published: { params: 124_439_808, source: 'HuggingFace gpt2: 124,439,808 parameters, LM head tied to the token embedding (Radford et al. 2019: 124 M)' },
    loss: 'cross-entropy',
    build: gpt2,
  },
  {
    name: 'vit_b_16',
    family: 'modern',
    description: 'ViT-B/16 (torchvision), 224×224 ImageNet',
    defaults: { imageSize: 224 },
    published: { params: 86_567_656, macs: 17.56e9, source: `${TORCHVISION}: ViT-B/16 86,567,656 params, 17.56 GMACs` },
    loss: 'cross-entropy',
    build: vitB16,
  },
  {
    name: 'lstm_lm',
    family: 'modern',
    description: '2-layer LSTM language model (Zaremba et al. 2014 medium: 10k words, 650 units, 35 steps)',
    defaults: { seqLen: 35 },
    loss: 'cross-entropy',
    build: lstmLm,
  },
];

export function zooEntry(name: string): ZooEntry {
  const e = ZOO.find((z) => z.name === name.toLowerCase());
  if (!e) throw new AccelmapError('unknown-model', `unknown model '${name}'${suggest(name, ZOO.map((z) => z.name))}`, {}, `run \`accelmap models\` for the zoo, or give a path to an .onnx file`);
  return e;
}

const FLAGS = { seqLen: '--seq-len', imageSize: '--image-size' } as const;

/** Builds a zoo model; --seq-len and --image-size apply only to the models that have a default for them. */
export function buildZooModel(name: string, options: Partial<ZooOptions> = {}): Graph {
  const e = zooEntry(name);
  const given = stripUndefined(options);
  for (const [key, flag] of Object.entries(FLAGS)) {
    if (key in given && !(key in e.defaults)) throw new AccelmapError('bad-flag', `${flag} does not apply to ${e.name}`, {}, `it applies to ${ZOO.filter((z) => key in z.defaults).map((z) => z.name).join(', ')}`);
  }
  return e.build({ batch: 1, ...e.defaults, ...given });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
