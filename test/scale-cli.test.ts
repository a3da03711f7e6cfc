import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliError, cliJson } from './cli-helpers.js';

const base = ['scale', 'resnet50', '--devices', '16', '--topology', 'ring', '--link-gbps', '100'];

describe('accelmap scale', () => {
  it('prints the step and the scaling sweep as JSON', async () => {
    const r = await cliJson(...base, '--json');
    for (const k of ['model', 'devices', 'topology', 'stepSeconds', 'computeSeconds', 'exposedCommSeconds', 'scalingEfficiency']) expect(r).toHaveProperty(k);
    expect(r.model).toBe('resnet50');
    expect(r.devices).toBe(16);
    expect(r.topology).toBe('ring');
    expect(r.stepSeconds).toBeCloseTo(r.computeSeconds + r.exposedCommSeconds, 12);
    expect(r.scalingEfficiency).toBeGreaterThan(0);
    expect(r.scalingEfficiency).toBeLessThanOrEqual(1);
    expect(r.sweeps.map((s: { method: string }) => s.method)).toEqual(['none', 'adacomp', 'topk', 'strom', 'onebit', 'qsgd']);
    expect(r.sweeps[0].rows.map((x: { devices: number }) => x.devices)).toEqual([1, 2, 4, 8, 16]);
    // weak scaling against one device with the same batch of 32, which communicates nothing
    const one = r.sweeps[0].rows[0];
    expect(one.stepSeconds).toBeCloseTo(one.computeSeconds, 12);
    expect(r.samplesPerSecond).toBeCloseTo((16 * 32) / r.stepSeconds, 6);
    expect(r.scalingEfficiency).toBeCloseTo(r.samplesPerSecond / (16 * one.samplesPerSecond), 12);
    // a ring all-reduce sends 2(n − 1)/n of the gradients: ResNet-50's 25,557,032 float32 parameters
    expect(r.bytesSentPerDevice).toBeCloseTo(((2 * 15) / 16) * 4 * 25_557_032, 0);
  });

  it('models the compiled step by default and the step as exported with --no-fuse, in the same JSON shape', async () => {
    const [compiled, exported] = [await cliJson(...base, '--json'), await cliJson(...base, '--no-fuse', '--json')];
    expect(Object.keys(compiled)).toEqual(Object.keys(exported));
    // fusion changes no weight: the same 25,557,032 gradients travel
    for (const r of [compiled, exported]) expect(r.bytesSentPerDevice).toBeCloseTo(((2 * 15) / 16) * 4 * 25_557_032, 0);
    // the element-wise ops fused into convolutions and gradient products no longer round-trip through memory
    expect(compiled.computeSeconds).toBeLessThan(exported.computeSeconds);
  });

  it('gives the time to train a number of samples', async () => {
    const r = await cliJson(...base, '--train-samples', '1281167', '--json');
    expect(r.timeToTrainSeconds).toBeCloseTo(1281167 / r.samplesPerSecond, 6);
    expect(r.samplesPerSecond).toBeCloseTo((16 * r.batchPerDevice) / r.stepSeconds, 6);
  });

  it('models the transformer zoo models too', async () => {
    // HuggingFace's parameter counts (GPT-2's LM head is tied to its token embedding: one gradient)
    for (const [model, params] of [['bert_base', 109_482_240], ['gpt2', 124_439_808]] as const) {
      const r = await cliJson('scale', model, '--batch', '2', '--seq-len', '128', '--devices', '8', '--topology', 'switch', '--link-gbps', '100', '--collective', 'ring', '--json');
      expect(r.model).toBe(model);
      expect(r.exposedCommSeconds).toBeGreaterThan(0);
      expect(r.bytesSentPerDevice).toBeCloseTo(((2 * 7) / 8) * 4 * params, 0);
    }
  });

  it('runs tensor and pipeline parallel layouts', async () => {
    for (const extra of [['--parallel', 'tp', '--tp', '4'], ['--parallel', 'pp', '--stages', '4', '--microbatches', '8']]) {
      const r = await cliJson(...base, '--topology', 'hier', '--node-devices', '8', ...extra, '--json');
      expect(r.dataParallel).toBe(4);
      if (extra[1] === 'pp') {
        // the fill and drain take (p − 1)/(m + p − 1) = 3/11 of the pipeline; the gradient exchange after it adds to the step
        expect(r.bubbleSeconds).toBeGreaterThan(0);
        expect(r.bubbleSeconds / r.stepSeconds).toBeLessThan(3 / 11);
      }
    }
  });

  it('writes a self-contained HTML report', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'accelmap-')), 'r.html');
    const r = await cli(...base, '--compress', 'adacomp', '--out', out);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('Chart.js v4.6.1');
    expect(html).toContain('new Chart(');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(r.out).toMatch(/scaling efficiency by compression method/);
  });

  it('at 1,024 devices AdaComp exposes less communication than no compression, and names the exchange that does it', async () => {
    const at1024 = ['scale', 'resnet50', '--devices', '1024', '--topology', 'switch', '--link-gbps', '100'];
    const none = await cliJson(...at1024, '--json');
    const adacomp = await cliJson(...at1024, '--compress', 'adacomp', '--json');
    expect(adacomp.exposedCommSeconds).toBeLessThan(none.exposedCommSeconds);
    expect(Object.keys(adacomp.exchangeAlgorithms)).toEqual(['gtopk']);
    const text = (await cli(...at1024, '--compress', 'adacomp')).out;
    expect(text).toMatch(/^gradient buckets at 1024 devices: gTop-k for \d+ buckets$/m);
    // asked for the all-gather, the same compression loses to the dense ring
    const gathered = await cliJson(...at1024, '--compress', 'adacomp', '--exchange', 'allgather', '--json');
    expect(gathered.exposedCommSeconds).toBeGreaterThan(none.exposedCommSeconds);
  });

  it.each([
    [['--exchange', 'gtopk', '--compress', 'qsgd'], /^accelmap: --exchange gtopk needs a sparse compression method \(adacomp, topk, strom\), not qsgd — use --exchange auto or one of allgather$/],
    [['--exchange', 'hier', '--compress', 'topk'], /--exchange hier needs the hier topology/],
    [['--topology', 'mesh'], /--topology 'mesh' is not one of/],
    [['--devices', '0'], /--devices '0' is not a positive integer/],
    [['--compress', 'zip'], /--compress 'zip' is not one of/],
    [['--topology', 'hier', '--devices', '12'], /12 devices do not split into nodes of 8/],
    [['--collective', 'tree'], /tree all-reduce does not run on a ring/],
    [['--dims', '4x5', '--topology', 'torus2d'], /needs 2 dimensions whose product is 16/],
    [['--parallel', 'pp', '--stages', '3'], /16 devices do not split into groups of 3/],
    [['--mode', 'infer'], /--mode 'infer' is not one of train/],
    [['--parallel', 'pp', '--batch', '2', '--microbatches', '4'], /4 micro-batches do not fit a batch of 2/],
    [['--device', 'tpu-v9'], /unknown device 'tpu-v9'/],
    [['--out', '/nonexistent-folder/r.html'], /r\.html --out: cannot write HTML report: no such file or folder$/],
  ])('rejects %s with one line and exit code 2', async (extra, message) => {
    expect(await cliError(...base, ...extra)).toMatch(message);
  });

  it('requires the link bandwidth', async () => {
    expect(await cliError('scale', 'resnet50', '--devices', '4', '--topology', 'ring')).toMatch(/--link-gbps/);
  });
});
