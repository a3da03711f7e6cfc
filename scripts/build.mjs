// Bundles the TypeScript sources into dist/ (one file per entry point).
// Runs on `npm ci` (prepare) so that `npx accelmap` works on a fresh clone.
import { build } from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';

const entryPoints = ['src/cli/main.ts'];
// Worker entry points live beside the code that starts them: src/**/*.worker.ts
function walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.worker.ts')) entryPoints.push(p);
  }
}
if (existsSync('src')) walk('src');

await build({
  entryPoints: entryPoints.map((p) => ({ in: p, out: p.replace(/^src\//, '').replace(/\.ts$/, '') })),
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
