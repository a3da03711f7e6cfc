import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliError, cliJson } from './cli-helpers.js';

interface Mixed { name: string; precision: string; cycles: number; energyPj: number; baselineCycles: number; baselineEnergyPj: number }
interface Layer { name: string; cycles: number; energyPj: number }
const quick = ['--arch', 'rapid', '--budget', '3000', '--threads', '1', '--json'];

describe('map with a precision per layer', () => {
  it('--plan: each layer costs what a uniform map at its mode gives it; totals are the sums', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-'));
    const plan = join(dir, 'plan.yaml');
    writeFileSync(plan, 'precision: hfp8\nfirst-last: same\nlayers:\n  conv2: int4\n');
    const mixed = await cliJson('map', 'deepq', '--plan', plan, ...quick);
    const hfp8 = await cliJson('map', 'deepq', '--precision', 'hfp8', ...quick);
    const int4 = await cliJson('map', 'deepq', '--precision', 'int4', ...quick);
    expect(mixed.baseline).toBe('hfp8');
    expect(mixed.layers.map((l: Mixed) => l.precision)).toEqual(['hfp8', 'int4', 'hfp8', '-', 'hfp8', 'hfp8']);
    mixed.layers.forEach((l: Mixed, i: number) => {
      const own = (l.precision === 'int4' ? int4 : hfp8).layers[i] as Layer;
      expect([l.name, l.cycles, l.energyPj]).toEqual([own.name, own.cycles, own.energyPj]);
      expect([l.baselineCycles, l.baselineEnergyPj]).toEqual([hfp8.layers[i].cycles, hfp8.layers[i].energyPj]);
    });
    expect(mixed.totals.cycles).toBe(mixed.layers.reduce((s: number, l: Mixed) => s + l.cycles, 0));
    expect(mixed.baselineTotals.cycles).toBe(hfp8.totals.cycles);
    // int4 runs 4× the MACs per cycle on operands half as wide: conv2 is faster
    expect(mixed.layers[1].cycles).toBeLessThan(mixed.layers[1].baselineCycles);
  });

  it('refuses a plan naming a mode the architecture lacks, auto without a budget, a budget without auto, and a single layer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-'));
    const plan = join(dir, 'plan.yaml');
    writeFileSync(plan, 'layers:\n  conv2: int8\n');
    expect(await cliError('map', 'deepq', '--plan', plan, '--arch', 'rapid')).toMatch(/layer conv2 is planned at int8, which rapid has no mode for/);
    expect(await cliError('map', 'deepq', '--precision', 'auto', '--arch', 'rapid')).toMatch(/--precision auto needs --max-sqnr-drop/);
    expect(await cliError('map', 'deepq', '--max-sqnr-drop', '3', '--arch', 'rapid')).toMatch(/--max-sqnr-drop goes with --precision auto/);
    expect(await cliError('map', 'deepq', '--precision', 'auto', '--max-sqnr-drop', '3', '--arch', 'eyeriss')).toMatch(/eyeriss has no 8-bit precision mode/);
    expect(await cliError('map', 'conv:K=8,C=8,P=4,Q=4,R=3,S=3', '--plan', plan, '--arch', 'rapid')).toMatch(/--plan needs a model/);
  });
});
