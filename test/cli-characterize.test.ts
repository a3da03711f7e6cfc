import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliError, cliJson } from './cli-helpers.js';

/**
 * Batch-1 MACs of torchvision's ResNets at 224×224, counted by hand: the 7×7
 * stem to 112², then four stages at 56², 28², 14², 7² (the first block of
 * stages 2–4 strides by 2, and so does its 1×1 downsample), then the
 * classifier. ResNet-18 blocks are two 3×3 convolutions; ResNet-50 (v1.5,
 * stride on the 3×3) blocks are 1×1 reduce at the input resolution, 3×3,
 * 1×1 expand to 4× the width, with a downsample on each stage's first block.
 */
function resnetMacs(block: 'basic' | 'bottleneck'): number {
  const stages: [width: number, blocks: number, stride: number][] = block === 'basic' ? [[64, 2, 1], [128, 2, 2], [256, 2, 2], [512, 2, 2]] : [[64, 3, 1], [128, 4, 2], [256, 6, 2], [512, 3, 2]];
  let macs = 112 * 112 * 64 * (3 * 7 * 7);
  let channels = 64, side = 56;
  for (const [width, blocks, stride] of stages) {
    const out = block === 'basic' ? width : 4 * width;
    for (let b = 0; b < blocks; b++) {
      const s = b === 0 ? stride : 1, o = side / s;
      if (block === 'basic') macs += o * o * width * channels * 9 + o * o * width * width * 9;
      else macs += side * side * width * channels + o * o * width * width * 9 + o * o * out * width;
      if (b === 0 && (s !== 1 || channels !== out)) macs += o * o * out * channels;
      channels = out;
      side = o;
    }
  }
  return macs + channels * 1000;
}

describe('accelmap profile', () => {
  it('prints per-op-type and per-class tables, totals and what its units are', async () => {
    const r = await cli('profile', 'resnet50', '--no-fuse');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^resnet50 · inference · batch 1 · 25\.6 M parameters/);
    expect(r.out).toContain('MACs are multiply-accumulates; FLOPs = 2·MACs + other FLOPs');
    // 53 convolutions: the stem, 16 bottlenecks of 3, 4 downsamples; torchvision's 4.09 GMACs
    expect(r.out).toMatch(/^Conv\s+convolution\s+53\s+4\.09 G/m);
    expect(r.out).toMatch(/^total: 4\.09 G MACs/m);
    expect(r.out).toMatch(/90% of modeled time: Conv, /);
  });

  it('--json has the model, mode, batch, params, totals, op types and nodes', async () => {
    const p = await cliJson('profile', 'resnet18', '--batch', '2', '--json', '--no-fuse');
    expect(p).toMatchObject({ model: 'resnet18', mode: 'infer', batch: 2, params: 11_689_512 });
    expect(Object.keys(p.totals)).toEqual(expect.arrayContaining(['macs', 'flops', 'bytesRead', 'bytesWritten']));
    expect(p.totals.macs).toBe(2 * resnetMacs('basic'));
    expect(p.byOpType[0]).toMatchObject({ key: 'Conv', opClass: 'convolution' });
    expect(p.nodes[0]).toMatchObject({ name: 'conv1', op: 'Conv', outputShapes: [[2, 64, 112, 112]], macs: 2 * 64 * 112 * 112 * 147 });
    expect(p.nodes[0].flops).toBe(2 * p.nodes[0].macs);
    expect(p.units.macs).toBe('multiply-accumulates');
  });

  it('profiles the compiled graph by default: the same MACs in fewer nodes, BatchNorm folded', async () => {
    const exported = await cliJson('profile', 'resnet18', '--json', '--no-fuse');
    const compiled = await cliJson('profile', 'resnet18', '--json');
    expect(compiled.totals.macs).toBe(exported.totals.macs);
    expect(compiled.nodes.length).toBeLessThan(exported.nodes.length);
    expect(compiled.byOpType.map((g: { key: string }) => g.key)).toContain('FusedGroup');
    expect(compiled.byOpType.map((g: { key: string }) => g.key)).not.toContain('BatchNormalization');
    expect(compiled.totals.bytesRead + compiled.totals.bytesWritten).toBeLessThan(exported.totals.bytesRead + exported.totals.bytesWritten);
  });

  it('--mode train adds backward and update phases', async () => {
    const infer = await cliJson('profile', 'alexnet', '--json');
    const train = await cliJson('profile', 'alexnet', '--mode', 'train', '--optimizer', 'adam', '--json');
    expect(train.mode).toBe('train');
    expect(train.byPhase.map((r: { key: string }) => r.key).sort()).toEqual(['backward', 'forward', 'update']);
    expect(train.byOpType.map((r: { key: string }) => r.key)).toContain('AdamUpdate');
    // AlexNet: 3× the forward MACs less conv1's input gradient (55·55·64 outputs × 3·11·11)
    expect(train.totals.macs).toBe(3 * infer.totals.macs - 55 * 55 * 64 * 3 * 121);
  });

  it('takes --device as a preset or a file', async () => {
    const p = await cliJson('profile', 'deepq', '--device', 'titan-x', '--json');
    expect(p.device).toMatchObject({ name: 'titan-x', peakFlopsPerSecond: 6.1e12, memoryBandwidthBytesPerSecond: 336.5e9 });
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-cli-'));
    const file = join(dir, 'slow.yaml');
    writeFileSync(file, 'name: slow\npeakFlopsPerSecond: { fp32: 1e9 }\nmemoryBandwidthBytesPerSecond: 1e9\nmemoryCapacityBytes: 1GB\n');
    expect((await cliJson('profile', 'deepq', '--device', file, '--json')).device.name).toBe('slow');
  });

  it('notes when a device lacks the model\'s precision', async () => {
    const r = await cli('profile', 'deepq', '--device', 'tpu-v1');
    expect(r.code).toBe(0);
    expect(r.err.join('\n')).toMatch(/tpu-v1 has no fp32 peak; float ops costed at its int8 peak, their bytes at int8 elements/);
  });

  it('counts a float32 model\'s bytes at int8 on an int8-only device: a quarter of them', async () => {
    // as exported, so that the convolution is a node of its own
    const fp32 = await cliJson('profile', 'deepq', '--no-fuse', '--device', 'v100-16gb', '--json');
    const int8 = await cliJson('profile', 'deepq', '--no-fuse', '--device', 'tpu-v1', '--json');
    expect(int8.totals.macs).toBe(fp32.totals.macs);
    for (const k of ['bytesRead', 'bytesWritten', 'weightBytes', 'activationBytes']) expect(int8.totals[k], k).toBe(fp32.totals[k] / 4);
    const conv = (p: { nodes: { op: string; intensity: number }[] }) => p.nodes.find((n) => n.op === 'Conv')!;
    expect(conv(int8).intensity).toBe(4 * conv(fp32).intensity);
  });

  it('answers user mistakes with one line and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['profile', 'resnet51'], /unknown model 'resnet51'/],
      [['profile', 'model.onnx'], /model.onnx: cannot open/],
      [['profile', 'resnet50', '--seq-len', '9'], /--seq-len does not apply to resnet50/],
      [['profile', 'resnet50', '--mode', 'fast'], /--mode 'fast' is not one of infer, train/],
      [['profile', 'resnet50', '--optimizer', 'lion'], /--optimizer 'lion' is not one of sgd, momentum, adam/],
      [['profile', 'resnet50', '--device', 'gtx-9000'], /unknown device 'gtx-9000'/],
      [['profile', 'resnet50', '--batch', '0'], /--batch '0' is not a positive integer/],
      [['profile', 'gpt2', '--dim', 'seq=64'], /--dim seq=… binds a dimension of an ONNX model; gpt2 is a zoo model — zoo models take --batch, --seq-len and --image-size/],
    ];
    for (const [argv, message] of cases) expect(await cliError(...argv)).toMatch(message);
  });
});

describe('accelmap compare', () => {
  it('prints a similarity matrix and a grouping', async () => {
    const r = await cli('compare', 'vgg16', 'lstm_lm', 'vgg');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/cosine similarity of op-type profiles/);
    expect(r.out).toMatch(/grouping \(average linkage/);
  });

  it('--json: a symmetric matrix with 1 on the diagonal, similar models adjacent in the order', async () => {
    const c = await cliJson('compare', 'vgg16', 'lstm_lm', 'vgg', '--json');
    expect(c.models).toEqual(['vgg16', 'lstm_lm', 'vgg']);
    for (let i = 0; i < 3; i++) {
      expect(c.matrix[i][i]).toBeCloseTo(1, 12);
      for (let j = 0; j < 3; j++) expect(c.matrix[i][j]).toBe(c.matrix[j][i]);
    }
    expect(Math.abs(c.order.indexOf('vgg16') - c.order.indexOf('vgg'))).toBe(1);
    expect(c.merges[0]).toMatchObject({ left: ['vgg16'], right: ['vgg'] });
  });

  it('compares by op class on request, and needs two models', async () => {
    expect((await cliJson('compare', 'alexnet', 'speech', '--by', 'class', '--json')).metric).toMatch(/per op class/);
    expect(await cliError('compare', 'alexnet')).toMatch(/at least two models/);
  });
});

describe('accelmap ops and models', () => {
  it('lists op kinds with class and FLOP convention, training ops included', async () => {
    const rows = (await cliJson('ops', '--json')) as { op: string; opClass: string; flopConvention: string; compute: boolean }[];
    const byOp = Object.fromEntries(rows.map((r) => [r.op, r]));
    expect(byOp.Conv).toMatchObject({ opClass: 'convolution', compute: true });
    expect(byOp.ConvGradWeight).toMatchObject({ opClass: 'convolution', compute: true });
    expect(byOp.AdamUpdate).toMatchObject({ opClass: 'optimizer', compute: false });
    for (const r of rows) expect(r.flopConvention.length, r.op).toBeGreaterThan(0);
    expect((await cli('ops')).out).toMatch(/1 MAC = 2 FLOPs/);
  });

  it('lists every zoo model with its parameters, MACs and agreement with the published figures', async () => {
    const r = await cli('models');
    expect(r.code).toBe(0);
    for (const name of ['alexnet', 'vgg', 'residual', 'deepq', 'seq2seq', 'memnet', 'speech', 'autoenc', 'resnet18', 'resnet50', 'vgg16', 'mobilenet_v2', 'bert_base', 'gpt2', 'vit_b_16', 'lstm_lm', 'overfeat', 'googlenet']) {
      expect(r.out).toMatch(new RegExp(`^${name}\\s`, 'm'));
    }
    // torchvision: 25,557,032 parameters (exactly what the zoo builds) and 4.09 GMACs
    const vsPublished = ((resnetMacs('bottleneck') / 4.09e9 - 1) * 100).toFixed(2);
    expect(r.out).toMatch(new RegExp(`^resnet50\\s+modern\\s+25\\.6 M\\s+4\\.09 G\\s+\\+0\\.00%\\s+${vsPublished.replace(/[.+]/g, '\\$&')}%`, 'm'));
  });
});
