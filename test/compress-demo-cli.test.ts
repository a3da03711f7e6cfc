import { describe, expect, it } from 'vitest';
import { cli, cliError, cliJson } from './cli-helpers.js';

describe('accelmap compress-demo', () => {
  it('trains with and without the compressor and reports per layer type', async () => {
    const r = await cliJson('compress-demo', '--workers', '2', '--steps', '10', '--compress', 'adacomp,topk', '--json');
    expect(r.runs.map((x: { method: string }) => x.method)).toEqual(['none', 'adacomp', 'topk']);
    const ada = r.runs[1];
    expect(ada.byClass.map((c: { layerType: string }) => c.layerType).sort()).toEqual(['conv', 'fc']);
    expect(ada.ratio).toBeGreaterThan(1);
    expect(r.runs[0].ratio).toBe(1);
    expect(r.config.workers).toBe(2);
  });

  it('prints tables', async () => {
    const { code, out: text } = await cli('compress-demo', '--workers', '2', '--steps', '4', '--compress', 'qsgd');
    expect(code).toBe(0);
    expect(text).toMatch(/conv ratio/);
    expect(text).toMatch(/training loss \/ test accuracy/);
  });

  it.each([
    [['--compress', 'zip'], /--compress 'zip' is not one of/],
    [['--workers', '0'], /--workers '0' is not a positive integer/],
    [['--steps', 'x'], /--steps 'x' is not a positive integer/],
    [['--topk-fraction', '5'], /--topk-fraction '5' is not a fraction in \(0, 1\]/],
    [['--steps', '1', '--workers', '1', '--compress', 'none', '--out', '/nonexistent-folder/r.html'], /r\.html --out: cannot write HTML report: no such file or folder$/],
  ])('rejects %s with one line and exit code 2', async (extra, message) => {
    expect(await cliError('compress-demo', ...extra)).toMatch(message);
  });
});
