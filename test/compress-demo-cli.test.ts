import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';

describe('accelmap compress-demo', () => {
  it('trains with and without the compressor and reports per layer type', async () => {
    const io = memoryIo();
    expect(await run(['compress-demo', '--workers', '2', '--steps', '10', '--compress', 'adacomp,topk', '--json'], io)).toBe(0);
    const r = JSON.parse(io.stdout.join('\n'));
    expect(r.runs.map((x: { method: string }) => x.method)).toEqual(['none', 'adacomp', 'topk']);
    const ada = r.runs[1];
    expect(ada.byClass.map((c: { layerType: string }) => c.layerType).sort()).toEqual(['conv', 'fc']);
    expect(ada.ratio).toBeGreaterThan(1);
    expect(r.runs[0].ratio).toBe(1);
    expect(r.config.workers).toBe(2);
  });

  it('prints tables', async () => {
    const io = memoryIo();
    expect(await run(['compress-demo', '--workers', '2', '--steps', '4', '--compress', 'qsgd'], io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toMatch(/conv ratio/);
    expect(text).toMatch(/training loss \/ test accuracy/);
  });

  it.each([
    [['--compress', 'zip'], /--compress 'zip' is not one of/],
    [['--workers', '0'], /--workers '0' is not a positive integer/],
    [['--steps', 'x'], /--steps 'x' is not a positive integer/],
  ])('rejects %s with one line and exit code 2', async (extra, message) => {
    const io = memoryIo();
    expect(await run(['compress-demo', ...extra], io)).toBe(2);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(message);
  });
});
