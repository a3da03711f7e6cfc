import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceProblems } from '../src/report/trace-check.js';
import { hasShared, sharedDir } from '../src/util/shared.js';
import { loadGraph } from '../src/workload/load.js';
import { cli, cliError, cliJson } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'accelmap-memory-'));

const json = (argv: string[]) => cliJson(...argv, '--json');

describe('accelmap memory', () => {
  it('prints the plan as JSON', async () => {
    const r = await json(['memory', 'alexnet', '--batch', '32', '--device', 'titan-x', '--policy', 'all']);
    for (const k of ['model', 'batch', 'policy', 'peakBytes', 'avgBytes', 'offloadedBytes', 'stepSeconds', 'baselineStepSeconds', 'fits']) expect(r).toHaveProperty(k);
    expect([r.model, r.batch, r.policy, r.fits]).toEqual(['alexnet', 32, 'all', true]);
    expect(r.offloadedBytes).toBeGreaterThan(0);
    expect(r.stepSeconds).toBeGreaterThanOrEqual(r.baselineStepSeconds);
    expect(r.peakBytes).toBeLessThanOrEqual(r.networkWideBytes);
    expect(r.policies.map((p: { policy: string }) => p.policy)).toEqual(['none', 'conv', 'all', 'dyn', 'recompute', 'recompute+conv', 'recompute+all']);
  });

  it('gives every element-wise result its own buffer with --no-in-place', async () => {
    const argv = ['memory', 'vgg16', '--batch', '2', '--device', 'titan-x', '--policy', 'none', '--no-fuse'];
    const [shared, own] = [await json(argv), await json([...argv, '--no-in-place'])];
    // In place, VGG-16's 15 ReLUs (13 convolutions, fc6, fc7) write over their input, which nothing else reads,
    // and so do the ReLU gradients and the two dropout gradients over the gradient they receive. Dropout itself
    // cannot: the ReLU before it keeps its output for its own gradient. Batch 2, float32:
    const relus = 2 * 4 * (2 * 64 * 224 * 224 + 2 * 128 * 112 * 112 + 3 * 256 * 56 * 56 + 3 * 512 * 28 * 28 + 3 * 512 * 14 * 14 + 2 * 4096);
    const dropoutGradients = 2 * 2 * 4096 * 4;
    expect(own.networkWideBytes - shared.networkWideBytes).toBe(2 * relus + dropoutGradients);
    expect(own.peakBytes).toBeGreaterThanOrEqual(shared.peakBytes);
  });

  it('plans the compiled graph by default, and the graph as exported with --no-fuse, in the same JSON shape', async () => {
    const argv = ['memory', 'vgg16', '--batch', '2', '--device', 'titan-x', '--policy', 'none', '--no-in-place'];
    const [compiled, exported] = [await json(argv), await json([...argv, '--no-fuse'])];
    expect(Object.keys(compiled)).toEqual(Object.keys(exported));
    // Each buffer a fused group keeps inside is gone, at batch 2, float32:
    // - forward: the 13 convolutions' and fc6's and fc7's outputs, before the ReLU each group applies to them;
    const preActivations = 2 * 4 * (2 * 64 * 224 * 224 + 2 * 128 * 112 * 112 + 3 * 256 * 56 * 56 + 3 * 512 * 28 * 28 + 3 * 512 * 14 * 14 + 2 * 4096);
    // - backward: the data gradients of fc8 and fc7 before the dropout's and ReLU's derivatives (two each),
    const classifier = 2 * 2 * (2 * 4096 * 4);
    // and those of the 8 convolutions whose input is a ReLU's output (not a pool's or the image), before that ReLU's derivative.
    const convolutions = 2 * 4 * (64 * 224 * 224 + 128 * 112 * 112 + 2 * 256 * 56 * 56 + 2 * 512 * 28 * 28 + 2 * 512 * 14 * 14);
    expect(exported.networkWideBytes - compiled.networkWideBytes).toBe(preActivations + classifier + convolutions);
  });

  it.skipIf(!hasShared('memory on an ONNX model', 'models', 'squeezenet1_1.onnx'))('plans an ONNX model', async () => {
    const r = await json(['memory', sharedDir('models', 'squeezenet1_1.onnx'), '--device', 'titan-x', '--policy', 'all']);
    expect(r.model).toBe('squeezenet1_1');
    expect(r.offloadedBytes).toBeGreaterThan(0);
    // 26 convolutions (the ONNX tooling's count), each with a weight gradient, and all but the first (whose input is the image) with an input gradient
    const convs = (JSON.parse(readFileSync(sharedDir('models', 'squeezenet1_1.expected.json'), 'utf8')) as { nodes: { op_type: string }[] }).nodes.filter((n) => n.op_type === 'Conv').length;
    expect(convs).toBe(26);
    expect(r.convolutions.length).toBe(3 * convs - 1);
  });

  it("runs the README's example: VGG-16 at batch 256 on the 12 GB Titan X under dyn, momentum and all, both baselines defined", async () => {
    const { code, out } = await cli('memory', 'vgg16', '--batch', '256', '--device', 'titan-x', '--policy', 'dyn');
    expect(code).toBe(0);
    expect(out).toMatch(/^plan: .* — fits$/m);
    expect(out).toMatch(/^ {2}network-wide allocation .*: every buffer of the step allocated for the whole step, plus one workspace as large as the largest \(vDNN's baseline; vDNN reports 28 GB for vgg16 at batch 256\)$/m);
    expect(out).toMatch(/^ {2}freed when dead .* at the peak: each buffer allocated when written and freed after its last reader$/m);
  });

  it('prints a text summary by default', async () => {
    const { code, out: text } = await cli('memory', 'vgg16', '--batch', '64', '--device', 'titan-x', '--capacity', '8GB');
    expect(code).toBe(0);
    // --capacity 8GB = 8·10⁹ B = 7.45 GiB
    expect(text).toMatch(/policy dyn on titan-x \(capacity 7\.45 GiB/);
    expect(text).toMatch(/— fits/);
    expect(text).toMatch(/recompute\+all/);
  });

  it('writes a valid Chrome trace and a self-contained HTML report', async () => {
    const trace = join(dir, 'trace.json'), html = join(dir, 'report.html');
    expect((await cli('memory', 'alexnet', '--batch', '16', '--device', 'titan-x', '--policy', 'conv', '--trace', trace, '--out', html)).code).toBe(0);
    expect(traceProblems(readFileSync(trace, 'utf8'))).toEqual([]);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/<canvas/);
    expect(page).toMatch(/Device memory over the training step/);
    expect(page).not.toMatch(/<script[^>]+src=/);
    expect(page.length).toBeGreaterThan(100_000); // Chart.js inlined
  });

  it('finds the largest batch that fits', async () => {
    const r = await json(['memory', 'alexnet', '--batch', '8', '--device', 'titan-x', '--capacity', '2GB', '--policy', 'none', '--max-batch']);
    const fits = async (batch: number) => (await json(['memory', 'alexnet', '--batch', String(batch), '--device', 'titan-x', '--capacity', '2GB', '--policy', 'none'])).fits;
    expect(r.maxBatch).toBeGreaterThan(8);
    expect(await fits(r.maxBatch)).toBe(true);
    expect(await fits(r.maxBatch + 1)).toBe(false);
  });

  it('times nodes from a file', async () => {
    const file = join(dir, 'times.json');
    const nodes = loadGraph('alexnet', { batch: 4, mode: 'train' }).nodes;
    writeFileSync(file, JSON.stringify(Object.fromEntries(nodes.map((n) => [n.name, 0.001]))));
    // the nodes as exported: the file names them
    const { code, out, err } = await cli('memory', 'alexnet', '--batch', '4', '--device', 'titan-x', '--policy', 'none', '--no-fuse', '--layer-times', file, '--json');
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(r.baselineStepSeconds).toBeCloseTo(nodes.length * 0.001, 12);
    expect(r.convolutions.every((c: { workspaceBytes: number }) => c.workspaceBytes === 0)).toBe(true);
    expect(err.join('\n')).toMatch(new RegExp(`times ${nodes.length} of ${nodes.length} nodes`));
  });

  it('names the least capacity when nothing fits', async () => {
    const line = await cliError('memory', 'vgg16', '--batch', '256', '--device', 'titan-x', '--capacity', '2GB');
    expect(line).toMatch(/^accelmap: vgg16 at batch 256 needs at least ([\d.]+) GiB of device memory under every policy/);
    const least = Number(/at least ([\d.]+) GiB/.exec(line)![1]);
    const policy = /use --capacity [\d.]+GiB or more \(reached by (\S+) with memory-lean convolutions\)/.exec(line)![1]!;
    // that capacity is enough for that policy, and a little less is not enough for any
    expect((await json(['memory', 'vgg16', '--batch', '256', '--device', 'titan-x', '--capacity', `${least}GiB`, '--policy', policy, '--algo', 'lean'])).fits).toBe(true);
    expect(await cliError('memory', 'vgg16', '--batch', '256', '--device', 'titan-x', '--capacity', `${least - 0.02}GiB`, '--policy', policy, '--algo', 'lean')).toMatch(/needs at least/);
  });

  it('rejects bad flags and impossible requests in one line', async () => {
    expect(await cliError('memory', 'alexnet', '--policy', 'most')).toMatch(/--policy 'most' is not one of none, conv, all, dyn/);
    expect(await cliError('memory', 'alexnet', '--capacity', 'lots')).toMatch(/--capacity 'lots'/);
    expect(await cliError('memory', 'alexnet', '--mode', 'infer')).toMatch(/--mode 'infer' is not one of train/);
    expect(await cliError('memory', 'alexnet', '--device', 'cpu', '--policy', 'all')).toMatch(/no host link/);
    expect(await cliError('memory', 'alexnet', '--layer-times', join(dir, 'missing.json'))).toMatch(/missing\.json: cannot read layer-times file: no such file or folder$/);
    expect(await cliError('memory', 'alexnet', '--layer-times', dir)).toMatch(/: cannot read layer-times file: it is a folder$/);
    expect(await cliError('memory', 'alexnet', '--trace', join(dir, 'no', 'trace.json'))).toMatch(/trace\.json --trace: cannot write trace: no such file or folder$/);
    expect(await cliError('memory', 'alexnet', '--out', dir)).toMatch(/ --out: cannot write HTML report: it is a folder$/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ conv1: -1 }));
    expect(await cliError('memory', 'alexnet', '--layer-times', bad)).toMatch(/bad\.json conv1: must be a number of seconds ≥ 0/);
  });
});
