import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';

describe('cli', () => {
  it('lists the zoo', async () => {
    const io = memoryIo();
    expect(await run(['models'], io)).toBe(0);
    expect(io.stdout.join('\n')).toContain('resnet50');
  });

  it('rejects an unknown flag with one line and exit code 2', async () => {
    const io = memoryIo();
    expect(await run(['models', '--nope'], io)).toBe(2);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(/unknown option '--nope'/);
  });

  it('rejects an unknown command', async () => {
    const io = memoryIo();
    expect(await run(['frobnicate'], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/unknown command/);
  });
});

describe('cli ops', () => {
  it('lists the op kinds with their FLOP conventions', async () => {
    const io = memoryIo();
    expect(await run(['ops'], io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toMatch(/^Einsum\s+matmul\s+yes\s+contraction of two operands/m);
    expect(text).toMatch(/^Resize\s+data-movement\s+per output element/m);
  });
});
