import { describe, expect, it } from 'vitest';
import { cliError, cliJson } from './cli-helpers.js';

/**
 * memory and scale time each node with accelmap's mapper when given --arch:
 * the step they model must then be exactly the mapped training graph's
 * time, which `accelmap map --mode train` reports by its own path (the sum
 * of every layer's cycles over the clock).
 */
describe('per-node times from the mapper (--arch)', () => {
  const common = ['deepq', '--batch', '2', '--threads', '1', '--budget', '3000'];

  it('memory: with nothing offloaded, the step is the mapped graph’s time', async () => {
    const mapped = await cliJson('map', ...common, '--mode', 'train', '--arch', 'simple-ws', '--json', '--no-progress');
    const plan = await cliJson('memory', 'deepq', '--batch', '2', '--device', 'titan-x', '--policy', 'none', '--arch', 'simple-ws', '--map-budget', '3000', '--json');
    expect(plan.stepSeconds).toBeCloseTo(mapped.totals.seconds, 12);
  });

  it('scale: one device computes for exactly the mapped graph’s time', async () => {
    const mapped = await cliJson('map', ...common, '--mode', 'train', '--arch', 'simple-ws', '--json', '--no-progress');
    const r = await cliJson('scale', 'deepq', '--batch', '2', '--devices', '1', '--topology', 'ring', '--link-gbps', '100', '--arch', 'simple-ws', '--map-budget', '3000', '--json');
    expect(r.computeSeconds).toBeCloseTo(mapped.totals.seconds, 12);
  });

  it('refuses flags that cannot go together', async () => {
    expect(await cliError('memory', 'deepq', '--arch', 'simple-ws', '--layer-times', 'x.json')).toMatch(/give --arch or --layer-times, not both/);
    expect(await cliError('memory', 'deepq', '--arch', 'simple-ws', '--max-batch')).toMatch(/--max-batch needs the roofline's times: --arch times one batch only/);
  });
});
