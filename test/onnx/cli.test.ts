import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cliJson } from '../cli-helpers.js';
import { hasShared, sharedDir } from '../../src/util/shared.js';

describe.skipIf(!hasShared('commands on an ONNX file', 'models', 'squeezenet1_1.onnx'))('accelmap profile on an ONNX file', () => {
  it('profiles a PyTorch export with the MACs the ONNX tooling computed', async () => {
    const expected = JSON.parse(readFileSync(sharedDir('models', 'squeezenet1_1.expected.json'), 'utf8')) as { macs: number; param_count_float_initializers: number };
    const out = (await cliJson('profile', sharedDir('models', 'squeezenet1_1.onnx'), '--json')) as { params: number; totals: { macs: number } };
    expect(out.totals.macs).toBe(expected.macs);
    expect(out.params).toBe(expected.param_count_float_initializers);
  });

  it('trains an imported model: every convolution costs 3× its MACs but the first (no input gradient)', async () => {
    const expected = JSON.parse(readFileSync(sharedDir('models', 'squeezenet1_1.expected.json'), 'utf8')) as { macs: number; nodes: { op_type: string; macs?: number }[] };
    const firstConv = expected.nodes.find((n) => n.op_type === 'Conv')!.macs!;
    const out = (await cliJson('profile', sharedDir('models', 'squeezenet1_1.onnx'), '--mode', 'train', '--json')) as { mode: string; totals: { macs: number } };
    expect(out.mode).toBe('train');
    expect(out.totals.macs).toBe(3 * expected.macs - firstConv);
  });

  it('scales an imported model: a ring all-reduce of its float parameters', async () => {
    const expected = JSON.parse(readFileSync(sharedDir('models', 'squeezenet1_1.expected.json'), 'utf8')) as { param_count_float_initializers: number };
    // the export's batch is fixed at 1: scale keeps it rather than its zoo default of 32
    const out = (await cliJson('scale', sharedDir('models', 'squeezenet1_1.onnx'), '--devices', '4', '--topology', 'ring', '--link-gbps', '100', '--json')) as { model: string; batchPerDevice: number; bytesSentPerDevice: number };
    expect([out.model, out.batchPerDevice]).toEqual(['squeezenet1_1', 1]);
    // 2(n − 1)/n of the float32 gradients
    expect(out.bytesSentPerDevice).toBeCloseTo(((2 * 3) / 4) * 4 * expected.param_count_float_initializers, 0);
  });
});
