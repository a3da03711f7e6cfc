import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { sharedDir } from '../../src/util/shared.js';

describe('accelmap profile on an ONNX file', () => {
  it('profiles a PyTorch export with the MACs the ONNX tooling computed', async () => {
    const expected = JSON.parse(readFileSync(sharedDir('models', 'squeezenet1_1.expected.json'), 'utf8')) as { macs: number; param_count_float_initializers: number };
    const io = memoryIo();
    expect(await run(['profile', sharedDir('models', 'squeezenet1_1.onnx'), '--json'], io)).toBe(0);
    const out = JSON.parse(io.stdout.join('\n')) as { params: number; totals: { macs: number } };
    expect(out.totals.macs).toBe(expected.macs);
    expect(out.params).toBe(expected.param_count_float_initializers);
  });

  it('trains an imported model: every convolution costs 3× its MACs but the first (no input gradient)', async () => {
    const expected = JSON.parse(readFileSync(sharedDir('models', 'squeezenet1_1.expected.json'), 'utf8')) as { macs: number; nodes: { op_type: string; macs?: number }[] };
    const firstConv = expected.nodes.find((n) => n.op_type === 'Conv')!.macs!;
    const io = memoryIo();
    expect(await run(['profile', sharedDir('models', 'squeezenet1_1.onnx'), '--mode', 'train', '--json'], io)).toBe(0);
    const out = JSON.parse(io.stdout.join('\n')) as { mode: string; totals: { macs: number } };
    expect(out.mode).toBe('train');
    expect(out.totals.macs).toBe(3 * expected.macs - firstConv);
  });
});
