import { AccelmapError, isAccelmapError } from './errors.js';

/** Tests: the AccelmapError that `f` throws; any other outcome (another error, or none) fails the test. */
export function errorOf(f: () => unknown): AccelmapError {
  try {
    f();
  } catch (e) {
    if (isAccelmapError(e)) return e;
    throw e;
  }
  throw new Error('expected an AccelmapError, but nothing was thrown');
}
