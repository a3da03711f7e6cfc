import { describe, expect, it } from 'vitest';
import { cli, cliError } from './cli-helpers.js';

describe('cli', () => {
  it('lists the zoo', async () => {
    const r = await cli('models');
    expect(r.code).toBe(0);
    expect(r.out).toContain('resnet50');
  });

  it('rejects an unknown flag with one line and exit code 2', async () => {
    expect(await cliError('models', '--nope')).toMatch(/unknown option '--nope'/);
  });

  it('rejects an unknown command', async () => {
    expect(await cliError('frobnicate')).toMatch(/unknown command/);
  });
});

describe('cli ops', () => {
  it('lists the op kinds with their FLOP conventions', async () => {
    const r = await cli('ops');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Einsum\s+matmul\s+yes\s+contraction of two operands/m);
    expect(r.out).toMatch(/^Resize\s+data-movement\s+per output element/m);
  });
});
