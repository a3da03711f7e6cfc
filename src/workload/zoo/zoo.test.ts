import { describe, expect, it } from 'vitest';
import { graphTotals } from '../counts.js';
import { paramCount } from '../graph.js';
import { buildZooModel, ZOO, zooEntry } from './index.js';

const rel = (got: number, want: number) => Math.abs(got / want - 1);

/**
 * Published figures, each from the source of the architecture the zoo
 * implements (batch 1, default input size):
 * - torchvision model cards (num_params; "GFLOPS", which counts
 *   multiply-accumulates): AlexNet 61,100,840 / 0.71 G, VGG-19 143,667,240 /
 *   19.63 G, VGG-16 138,357,544 / 15.47 G, ResNet-18 11,689,512 / 1.81 G,
 *   ResNet-50 25,557,032 / 4.09 G, MobileNet V2 3,504,872 / 0.30 G,
 *   GoogLeNet 6,624,904 / 1.50 G, ViT-B/16 86,567,656 / 17.56 G.
 * - HuggingFace: bert-base-uncased BertModel 109,482,240 parameters ("110 M"
 *   in Devlin et al.); gpt2 124,439,808 with the LM head tied ("124 M").
 * - Sermanet et al. 2014 (OverFeat): fast model 145 M parameters and 2810 M
 *   connections (multiply-adds); accurate model 144 M and 5369 M.
 * - Caffe bvlc_alexnet (Krizhevsky et al. 2012 on two GPUs): 60,965,224 parameters.
 */
const PUBLISHED: Record<string, { params: number; macs?: number; paramsRounded?: true }> = {
  alexnet: { params: 61_100_840, macs: 0.71e9 },
  vgg: { params: 143_667_240, macs: 19.63e9 },
  vgg16: { params: 138_357_544, macs: 15.47e9 },
  resnet18: { params: 11_689_512, macs: 1.81e9 },
  resnet50: { params: 25_557_032, macs: 4.09e9 },
  mobilenet_v2: { params: 3_504_872, macs: 0.3e9 },
  googlenet: { params: 6_624_904, macs: 1.5e9 },
  vit_b_16: { params: 86_567_656, macs: 17.56e9 },
  bert_base: { params: 109_482_240 },
  gpt2: { params: 124_439_808 },
  overfeat: { params: 145e6, macs: 2.81e9, paramsRounded: true },
  overfeat_accurate: { params: 144e6, macs: 5.369e9, paramsRounded: true },
  alexnet_caffe: { params: 60_965_224 },
};

describe('zoo against published figures (exact parameter counts; rounded figures within 1%)', () => {
  for (const [name, want] of Object.entries(PUBLISHED)) {
    it(name, () => {
      const g = buildZooModel(name);
      if (want.paramsRounded) expect(rel(paramCount(g), want.params)).toBeLessThan(0.01);
      else expect(paramCount(g)).toBe(want.params);
      if (want.macs) expect(rel(graphTotals(g).macs, want.macs)).toBeLessThan(0.01);
    });
  }

  it('lists the same figures in the registry', () => {
    for (const [name, want] of Object.entries(PUBLISHED)) {
      expect(zooEntry(name).published?.params).toBe(want.params);
      expect(zooEntry(name).published?.macs).toBe(want.macs);
    }
  });
});

/** Hand derivations (weights + biases per layer; MACs = output elements × reduction size). */
describe('zoo models without a published figure, derived by hand', () => {
  it('deepq: 84×84×4 → 20×20×32 → 9×9×64 → 7×7×64 → 512 → 4', () => {
    const g = buildZooModel('deepq');
    expect(paramCount(g)).toBe(4 * 32 * 64 + 32 + (32 * 64 * 16 + 64) + (64 * 64 * 9 + 64) + (3136 * 512 + 512) + (512 * 4 + 4));
    expect(graphTotals(g).macs).toBe(20 * 20 * 32 * (4 * 64) + 9 * 9 * 64 * (32 * 16) + 7 * 7 * 64 * (64 * 9) + 3136 * 512 + 512 * 4);
  });

  it('autoenc: two 784→200 encoders and a 200→784 decoder', () => {
    const g = buildZooModel('autoenc', { batch: 3 });
    expect(paramCount(g)).toBe(2 * (784 * 200 + 200) + (200 * 784 + 784));
    expect(graphTotals(g).macs).toBe(3 * 3 * 784 * 200);
  });

  it('lstm_lm: embedding, two LSTM 650 layers (ONNX keeps two bias vectors), untied decoder', () => {
    const g = buildZooModel('lstm_lm', { seqLen: 20 });
    const lstm = (i: number, h: number) => 4 * h * i + 4 * h * h + 8 * h;
    expect(paramCount(g)).toBe(10000 * 650 + 2 * lstm(650, 650) + 650 * 10000 + 10000);
    expect(graphTotals(g).macs).toBe(2 * 20 * 4 * 650 * (650 + 650) + 20 * 650 * 10000);
  });

  it('speech: 3 FC 1024, bidirectional RNN 1024, 62 labels', () => {
    const g = buildZooModel('speech', { seqLen: 100 });
    expect(paramCount(g)).toBe(26 * 1024 + 1024 + 2 * (1024 * 1024 + 1024) + (2 * 1024 * 1024 * 2 + 2 * 2048) + 1024 * 62 + 62);
    expect(graphTotals(g).macs).toBe(100 * (26 * 1024 + 2 * 1024 * 1024 + 2 * 1024 * 2048 + 1024 * 62));
  });

  it('seq2seq: two 40k×256 embeddings, six LSTM 256 layers, Luong attention, 40k output', () => {
    const g = buildZooModel('seq2seq', { seqLen: 8 });
    const lstm = 4 * 256 * 256 * 2 + 8 * 256;
    expect(paramCount(g)).toBe(2 * 40000 * 256 + 6 * lstm + 256 * 256 + (512 * 256 + 256) + (256 * 40000 + 40000));
    const src = 8, tgt = 10;
    const lstms = 3 * src * 4 * 256 * 512 + 3 * tgt * 4 * 256 * 512;
    const attention = src * 256 * 256 + 2 * tgt * src * 256 + tgt * 512 * 256;
    expect(graphTotals(g).macs).toBe(lstms + attention + tgt * 256 * 40000);
  });

  it('memnet: embeddings A, B, temporal TA, hop map H, answer W', () => {
    const g = buildZooModel('memnet', { seqLen: 6 });
    expect(paramCount(g)).toBe(2 * 177 * 20 + 50 * 20 + 20 * 20 + 20 * 177);
    const bagsOfWords = 50 * 20 * 6 + 20 * 6;
    const hop = 50 * 20 + 50 * 20 + 20 * 20;
    expect(graphTotals(g).macs).toBe(bagsOfWords + 3 * hop + 20 * 177);
  });

  it("residual: Fathom's 12 bottlenecks at 56×56", () => {
    const g = buildZooModel('residual');
    const stages: [number, number][] = [[128, 32], [256, 64], [512, 128], [1024, 256]];
    const block = (f: number, b: number) => f * b + b + (b * b * 9 + b) + (b * f + f);
    const upscale = 128 * 256 + 256 * 512 + 512 * 1024;
    expect(paramCount(g)).toBe(3 * 64 * 49 + 64 + (64 * 128 + 128) + stages.reduce((s, [f, b]) => s + 3 * block(f, b), 0) + upscale + 1024 * 1000);
    const at56 = 56 * 56;
    const blockMacs = (f: number, b: number) => at56 * (f * b + b * b * 9 + b * f);
    const expected = 112 * 112 * 64 * 147 + at56 * 64 * 128 + stages.reduce((s, [f, b]) => s + 3 * blockMacs(f, b), 0) + at56 * upscale + 1024 * 1000;
    expect(graphTotals(g).macs).toBe(expected);
  });

  it('alexnet_caffe: 227×227 → 55² ×96 → 27² ×256 (2 groups) → 13² ×384, ×384 (2 groups), ×256 (2 groups) → 9216 → 4096 → 4096 → 1000', () => {
    const g = buildZooModel('alexnet_caffe');
    expect(paramCount(g)).toBe(96 * 3 * 121 + 96 + (256 * 48 * 25 + 256) + (384 * 256 * 9 + 384) + (384 * 192 * 9 + 384) + (256 * 192 * 9 + 256) + (9216 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000));
    expect(graphTotals(g).macs).toBe(55 * 55 * 96 * 363 + 27 * 27 * 256 * 1200 + 169 * 384 * 2304 + 169 * 384 * 1728 + 169 * 256 * 1728 + 9216 * 4096 + 4096 * 4096 + 4096 * 1000);
  });

  it('bert_base at 128 tokens and gpt2 at 1024: projections, attention products, feed-forward', () => {
    const layer = (L: number) => 4 * L * 768 * 768 + 2 * 12 * L * L * 64 + 2 * L * 768 * 3072;
    expect(graphTotals(buildZooModel('bert_base')).macs).toBe(12 * layer(128) + 768 * 768);
    expect(graphTotals(buildZooModel('gpt2')).macs).toBe(12 * layer(1024) + 1024 * 768 * 50257);
  });
});

describe('zoo options', () => {
  it('every model builds at batch 2 with the batch on its outputs', () => {
    for (const z of ZOO) {
      const g = buildZooModel(z.name, { batch: 2, seqLen: z.defaults.seqLen === undefined ? undefined : 4, imageSize: z.defaults.imageSize });
      expect(g.batch).toBe(2);
      expect(g.tensors[g.outputs[0]!]!.shape[0], z.name).toBe(2);
    }
  });

  it('scales MACs with the batch', () => {
    expect(graphTotals(buildZooModel('resnet18', { batch: 4 })).macs).toBe(4 * graphTotals(buildZooModel('resnet18')).macs);
  });

  it("gpt2's causal mask has values: position i attends to positions 0…i", () => {
    const g = buildZooModel('gpt2', { seqLen: 4 });
    const mask = Object.values(g.tensors).find((t) => t.name.endsWith('causal_mask'))!;
    expect(mask.shape).toEqual([1, 1, 4, 4]);
    expect(mask.value).toEqual([1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1]);
  });

  it('takes --image-size and --seq-len where they apply', () => {
    expect(buildZooModel('vit_b_16', { imageSize: 384 }).tensors['encoder.pos_embedding']!.shape).toEqual([1, 24 * 24 + 1, 768]);
    expect(buildZooModel('gpt2', { seqLen: 64 }).tensors.logits!.shape).toEqual([1, 64, 50257]);
    expect(() => buildZooModel('resnet50', { seqLen: 64 })).toThrow(/--seq-len does not apply to resnet50/);
    expect(() => buildZooModel('gpt2', { imageSize: 64 })).toThrow(/--image-size does not apply/);
    // learned position tables: BERT 512 rows, GPT-2 1024; ViT cuts the image into 16×16 patches
    expect(buildZooModel('bert_base', { seqLen: 512 }).tensors['embeddings.position.weight']!.shape).toEqual([512, 768]);
    expect(() => buildZooModel('bert_base', { seqLen: 513 })).toThrow(/--seq-len 513 is longer than the 512 positions bert_base learned/);
    expect(() => buildZooModel('gpt2', { seqLen: 1025 })).toThrow(/--seq-len 1025 is longer than the 1024 positions gpt2 learned/);
    expect(() => buildZooModel('vit_b_16', { imageSize: 100 })).toThrow(/--image-size 100 does not cut into ViT-B\/16's 16×16 patches/);
  });

  it('rejects image sizes an adaptive pool cannot reach, and scales the convolutions with the image', () => {
    expect(() => buildZooModel('vgg16', { imageSize: 200 })).toThrow(/adaptive average pool/);
    // VGG-16's 3×3 convolutions (side², out, in), then the classifier after the adaptive pool to 7×7
    const convs = (side: number) => {
      const stages: [number, number, number][] = [[1, 3, 64], [1, 64, 64], [2, 64, 128], [2, 128, 128], [4, 128, 256], [4, 256, 256], [4, 256, 256], [8, 256, 512], [8, 512, 512], [8, 512, 512], [16, 512, 512], [16, 512, 512], [16, 512, 512]];
      return stages.reduce((s, [down, cin, cout]) => s + (side / down) ** 2 * cout * cin * 9, 0);
    };
    const classifier = 512 * 7 * 7 * 4096 + 4096 * 4096 + 4096 * 1000;
    expect(graphTotals(buildZooModel('vgg16')).macs).toBe(convs(224) + classifier);
    expect(graphTotals(buildZooModel('vgg16', { imageSize: 448 })).macs).toBe(convs(448) + classifier);
  });

  it('refuses unknown models', () => {
    expect(() => buildZooModel('resnet51')).toThrow(/unknown model 'resnet51'/);
  });
});
