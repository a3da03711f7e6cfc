import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadArch, loadLayer, searchMapping } from '../src/index.js';
import { packageRoot } from '../src/util/paths.js';

/**
 * The package as a user gets it: `npm pack`, installed into a fresh project,
 * where a TypeScript program (docs/examples/library.ts, the README's example)
 * type-checks against the shipped declarations and runs against the shipped
 * bundle. Needs npm, and the dependencies in npm's cache or its registry.
 */
const root = packageRoot();
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const npmMissing = spawnSync('npm', ['--version'], { encoding: 'utf8' }).status !== 0 ? 'npm is not on the PATH' : !existsSync(tsc) ? 'typescript is not installed' : '';
if (npmMissing) console.log(`skipped: the package test (${npmMissing})`);

interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking this process (the test runner keeps talking to it meanwhile). */
function run(cmd: string, args: string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, encoding: 'utf8', timeout: 240_000, maxBuffer: 64 << 20, env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } }, (error, stdout, stderr) =>
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

function ok(r: Ran, what: string): string {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe.skipIf(npmMissing !== '')('the packed package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'accelmap-pack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs into a new project, type-checks and runs the README example', async () => {
    // The bundle comes from `npm run build` (npm test runs it first); the declarations are brought up to date here.
    if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run npm run build first');
    ok(await run(process.execPath, [tsc, '-p', 'tsconfig.types.json'], root), 'declarations (tsc -p tsconfig.types.json)');

    const packed = JSON.parse(ok(await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root), 'npm pack')) as { filename: string; files: { path: string }[] }[];
    const files = packed[0]!.files.map((f) => f.path);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/types/index.d.ts');
    expect(files).toContain('dist/search/search.worker.js');
    expect(files).toContain('dist/serve/job.worker.js');
    expect(files).toContain('dist/web/index.html');
    expect(files).toContain('presets/arch/eyeriss.yaml');
    // Nothing a user does not run: no sources, tests, source maps or build state.
    expect(files.filter((f) => /^(src|test|bench|scripts|assembly|docs)\/|\.test\.|\.map$|tsbuildinfo/.test(f))).toEqual([]);

    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-accelmap', version: '1.0.0', private: true, type: 'module' }));
    const tgz = resolve(dir, packed[0]!.filename);
    // --ignore-scripts: better-sqlite3 (the results store of `accelmap explore`) compiles SQLite from source where no prebuilt
    // binary can be fetched, minutes per install; it loads its binary only when a store is opened, which nothing here does.
    const flags = ['--no-audit', '--no-fund', '--ignore-scripts'];
    let install = await run('npm', ['install', tgz, '--offline', ...flags], project);
    if (install.status !== 0) install = await run('npm', ['install', tgz, '--prefer-offline', ...flags], project);
    ok(install, 'npm install of the packed package');
    // The example's own types (console, top-level await) come from the checkout's @types/node.
    symlinkSync(join(root, 'node_modules', '@types'), join(project, 'node_modules', '@types'), 'dir');

    writeFileSync(join(project, 'example.ts'), readFileSync(join(root, 'docs', 'examples', 'library.ts')));
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: ['node'], outDir: 'out' }, files: ['example.ts'] }),
    );
    ok(await run(process.execPath, [tsc, '-p', 'tsconfig.json'], project), 'type check of the example against the installed package');
    const out = ok(await run(process.execPath, ['out/example.js'], project), 'the example').trim().split('\n');
    const summary = JSON.parse(out.at(-1)!) as { layerCycles: number; againCycles: number; layers: number; nodes: number; totalCycles: number };

    // The installed package finds what the sources find for the same layer and settings.
    const arch = loadArch('eyeriss');
    const here = searchMapping(loadLayer('conv:K=64,C=64,P=56,Q=56,R=3,S=3'), arch, { budget: { evaluations: 5000 } });
    expect(summary.layerCycles).toBe(here.cost.cycles);
    expect(summary.againCycles).toBe(summary.layerCycles);
    expect(summary.layers).toBe(summary.nodes);
    expect(summary.totalCycles).toBeGreaterThan(0);

    // The installed command line works too, and finds its presets.
    const cli = ok(await run(join(project, 'node_modules', '.bin', 'accelmap'), ['arch', 'eyeriss'], project), 'accelmap arch eyeriss');
    expect(cli).toContain('eyeriss');
  });
});
