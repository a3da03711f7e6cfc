import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A package loaded on first use rather than when the CLI starts: for the
 * heavy ones only some commands need (a Redis client, a template engine),
 * which every other command would otherwise pay for at start-up.
 */
export function lazyPackage<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
