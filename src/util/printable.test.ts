import { describe, expect, it } from 'vitest';
import { AccelmapError } from './errors.js';
import { MAX_WORD, printable } from './printable.js';

describe('printable', () => {
  it('escapes C0 and C1 controls, DEL and bidirectional overrides', () => {
    expect(printable('a\u0000b\u001b[31mc\u007fd\u0085e\u202ef')).toBe('a\\x00b\\x1b[31mc\\x7fd\\x85e\\u202ef');
  });
  it('leaves ordinary text, Unicode included, alone', () => {
    expect(printable('node Conv_0 (Conv): 3×3 kernel — µs')).toBe('node Conv_0 (Conv): 3×3 kernel — µs');
  });
  it('cuts a word longer than the limit, keeping both ends and saying its length', () => {
    const word = 'x'.repeat(5000) + 'END';
    const out = printable(`name '${word}' here`);
    expect(out.length).toBeLessThan(MAX_WORD + 60);
    expect(out).toMatch(/^name 'x+…\[5005 characters\]…x*END' here$/);
  });
  it('is what AccelmapError.render uses', () => {
    expect(new AccelmapError('bad-file', 'op \u001b[2J', { file: 'm.onnx' }).render()).toBe('m.onnx: op \\x1b[2J');
  });
});
