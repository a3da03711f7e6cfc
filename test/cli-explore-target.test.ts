import { describe, expect, it } from 'vitest';
import { cliError, cliJson } from './cli-helpers.js';

const ARGS = ['deepq', '--image-size', '36', '--space', 'presets/spaces/vta-target.yaml', '--budget', '4', '--population', '4', '--seed', '2', '--no-progress', '--json'];

describe('explore over the VTA compile target', () => {
  it('searches the shipped space on the simulator: latency and area only, the same front for a seed', async () => {
    const first = await cliJson('explore', ...ARGS);
    expect(first.objectives).toEqual(['latency', 'area']);
    expect(first.evaluated).toBe(4);
    expect(first.front.length).toBeGreaterThan(0);
    for (const d of first.front) expect(Object.keys(d.objectives).sort()).toEqual(['area', 'latency']);
    expect(await cliJson('explore', ...ARGS)).toEqual(first);
  });

  it('says in one line that the target has no energy model, and that it compiles whole models', async () => {
    expect((await cliError('explore', ...ARGS, '--objectives', 'latency,energy'))).toMatch(/no energy model/);
    expect((await cliError('explore', 'conv:K=16,C=16,P=8,Q=8,R=3,S=3', '--space', 'presets/spaces/vta-target.yaml', '--budget', '2', '--no-progress'))).toMatch(/compiles whole models/);
  });
});
