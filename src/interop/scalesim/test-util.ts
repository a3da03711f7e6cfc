import { expect } from 'vitest';
import { AccelmapError } from '../../util/errors.js';

/** The one line the CLI would print for the AccelmapError that `f` throws. */
export function errorLine(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AccelmapError);
    return (e as AccelmapError).render();
  }
  throw new Error('expected an error');
}
