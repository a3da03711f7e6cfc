import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The pipeline's direction, checked on the sources: the stages return plain
 * data and never render, so only the front ends (cli/, and serve/, the web
 * server) import report/; report/ (which renders the stages' results)
 * imports neither front end; serve/ is started from cli/ only, and nothing
 * else imports cli/.
 */
const SRC = resolve(__dirname, '..', 'src');

/** The top of the pipeline: each of these folders, and the folders that may import it. */
const IMPORTERS: Record<string, readonly string[]> = {
  report: ['report', 'cli', 'serve'],
  serve: ['serve', 'cli'],
  cli: ['cli'],
};

/** Every module specifier a TypeScript file imports or re-exports, static or dynamic. */
function specifiersOf(text: string): string[] {
  const pattern = /\b(?:from|import)\s*\(?\s*(['"])([^'"\n]+)\1/g;
  return [...text.matchAll(pattern)].map((m) => m[2]!);
}

/** The top folder under src/ of a path relative to src/ (`report` for `report/html.ts`; '' for `index.ts`). */
const areaOf = (path: string) => (path.includes('/') ? path.slice(0, path.indexOf('/')) : '');

/** The imports that go against the direction, as `from → to` (paths relative to src/). */
function wrongWay(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [path, text] of files) {
    const from = areaOf(path);
    for (const spec of specifiersOf(text)) {
      if (!spec.startsWith('.')) continue;
      const target = posix.normalize(posix.join(posix.dirname(path), spec));
      const importers = IMPORTERS[areaOf(target)];
      if (importers && !importers.includes(from)) found.push(`${path} → ${target}`);
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
      ['cli/commands/serve.ts', "import { startServer } from '../../serve/server.js';"],
      ['serve/jobs.ts', "import { mapReportHtml } from '../report/map-report.js';\nimport { toJson } from '../cli/io.js';"],
      ['explore/explore.ts', "import { jobs } from '../serve/jobs.js';"],
    ]);
    expect(wrongWay(files)).toEqual([
      'memory/plan.ts → report/html.js',
      'scaleout/demo/train.ts → report/table.js',
      'index.ts → cli/main.js',
      'report/memory-report.ts → cli/io.js',
      'serve/jobs.ts → cli/io.js',
      'explore/explore.ts → serve/jobs.js',
    ]);
  });

  it('holds for every module under src/', () => {
    const files = sources(SRC);
    expect(files.size).toBeGreaterThan(100);
    expect([...files.keys()].some((p) => p.startsWith('report/'))).toBe(true);
    expect(wrongWay(files)).toEqual([]);
  });
});
