import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { packageRoot } from '../util/paths.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface Asset {
  body: Uint8Array;
  type: string;
}

/**
 * The single-page app's built files (dist/web, made by scripts/build.mjs),
 * read once into memory and served by exact URL path: a request never
 * names a file, it can only pick one of these.
 */
export function loadAssets(dir = join(packageRoot(), 'dist', 'web')): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  const walk = (d: string, prefix: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${prefix}${e.name}/`);
      else if (e.isFile()) assets.set(`/${prefix}${e.name}`, { body: readFileSync(join(d, e.name)), type: TYPES[extname(e.name)] ?? 'application/octet-stream' });
    }
  };
  walk(dir, '');
  return assets;
}
