#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// dist/ is built by `npm run build` (run by npm's prepare step): an install
// that skipped scripts (--ignore-scripts) from a checkout has none yet.
const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error(`accelmap: not built yet (${fileURLToPath(main)} is missing) — run \`npm run build\` in ${fileURLToPath(new URL('..', import.meta.url))}`);
  process.exit(2);
}
// A reader that stops early (`accelmap … | head`) closes the pipe: that ends
// the output, not in an error.
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(0);
});
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
