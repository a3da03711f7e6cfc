import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The pipeline's direction, checked on the sources: the stages return plain
 * data and never render, so no module outside report/ and cli/ imports
 * report/ or cli/, and report/ (which renders the stages' results) does not
 * import cli/ (which calls it).
 */
const SRC = resolve(__dirname, '..', 'src');

/** Every module specifier a TypeScript file imports or re-exports, static or dynamic. */
export function specifiersOf(text: string): string[] {
  const pattern = /\b(?:from|import)\s*\(?\s*(['"])([^'"\n]+)\1/g;
  return [...text.matchAll(pattern)].map((m) => m[2]!);
}

/** The top folder under src/ of a path relative to src/ (`report` for `report/html.ts`; '' for `index.ts`). */
const areaOf = (path: string) => (path.includes('/') ? path.slice(0, path.indexOf('/')) : '');

/** The imports that go against the direction, as `from → to` (paths relative to src/). */
export function wrongWay(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [path, text] of files) {
    const from = areaOf(path);
    for (const spec of specifiersOf(text)) {
      if (!spec.startsWith('.')) continue;
      const target = posix.normalize(posix.join(posix.dirname(path), spec));
      const to = areaOf(target);
      const renders = to === 'report' || to === 'cli';
      const allowed = from === 'cli' || (from === 'report' && to === 'report');
      if (renders && from !== to && !allowed) found.push(`${path} → ${target}`);
    }
  }
  return found;
}

function sources(dir: string, files = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sources(path, files);
    else if (entry.name.endsWith('.ts')) files.set(relative(SRC, path).split(/[\\/]/).join('/'), readFileSync(path, 'utf8'));
  }
  return files;
}

describe('import direction', () => {
  it('finds the imports, re-exports and dynamic imports that point the wrong way', () => {
    const files = new Map([
      ['memory/plan.ts', "import { htmlPage } from '../report/html.js';\nimport type { Graph } from '../workload/graph.js';"],
      ['scaleout/demo/train.ts', "export { renderTable } from '../../report/table.js';"],
      ['index.ts', "const m = await import('./cli/main.js');"],
      ['report/memory-report.ts', "import type { MemoryPlan } from '../memory/plan.js';\nimport { toJson } from '../cli/io.js';"],
      ['report/html.ts', "import { provenanceLine } from '../util/provenance.js';"],
      ['cli/commands/memory.ts', "import { memoryHtml } from '../../report/memory-report.js';"],
    ]);
    expect(wrongWay(files)).toEqual([
      'memory/plan.ts → report/html.js',
      'scaleout/demo/train.ts → report/table.js',
      'index.ts → cli/main.js',
      'report/memory-report.ts → cli/io.js',
    ]);
  });

  it('holds for every module under src/: only cli/ imports report/, and nothing outside cli/ imports cli/', () => {
    const files = sources(SRC);
    expect(files.size).toBeGreaterThan(100);
    expect([...files.keys()].some((p) => p.startsWith('report/'))).toBe(true);
    expect(wrongWay(files)).toEqual([]);
  });
});
