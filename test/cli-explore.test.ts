import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, cliError, cliJson } from './cli-helpers.js';

const LAYER = 'conv:K=16,C=16,P=8,Q=8,R=3,S=3';
const SPACE = 'test/fixtures/spaces/tiny.yaml';
const ARGS = [LAYER, '--space', SPACE, '--budget', '6', '--population', '4', '--map-budget', '60', '--seed', '3', '--no-progress'];

/** Every design mapped, with a larger mapper budget: each takes long enough (~0.1 s) for the kill to land between commits. */
const KILL_ARGS = ARGS.map((a) => (a === '60' ? '3000' : a === SPACE ? 'test/fixtures/spaces/tiny-bw.yaml' : a));

const tempDb = () => join(mkdtempSync(join(tmpdir(), 'accelmap-explore-')), 'results.db');

function storedCounts(file: string): { designs: number; distinct: number; okWithoutLayers: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const designs = (db.prepare('SELECT count(*) AS n FROM designs').get() as { n: number }).n;
    const distinct = (db.prepare('SELECT count(DISTINCT hash) AS n FROM designs').get() as { n: number }).n;
    const okWithoutLayers = (db.prepare("SELECT count(*) AS n FROM designs d WHERE status = 'ok' AND NOT EXISTS (SELECT 1 FROM layers l WHERE l.hash = d.hash)").get() as { n: number }).n;
    return { designs, distinct, okWithoutLayers };
  } finally {
    db.close();
  }
}

/** Starts the CLI in a child process, and SIGKILLs it once the store holds `after` designs; resolves when it is gone. */
function runAndKill(db: string, after: number): Promise<void> {
  const entry = `const { run } = await import(${JSON.stringify(new URL('../src/cli/main.ts', import.meta.url).href)}); process.exitCode = await run(process.argv.slice(1));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', entry, 'explore', ...KILL_ARGS, '--store', db], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      try {
        if (storedCounts(db).designs >= after) child.kill('SIGKILL');
      } catch {
        // not created yet
      }
    }, 20);
    child.on('exit', () => {
      clearInterval(poll);
      resolve();
    });
    child.on('error', (e) => {
      clearInterval(poll);
      reject(e);
    });
  });
}

describe('explore and results', () => {
  it('evaluates designs side by side with --threads: the same designs and front as one after another', async () => {
    // Each thread keeps its own mapping cache, so only the cache hits may differ (and the command line recorded).
    const { mapperCacheHits: _, accelmap: __, ...one } = await cliJson('explore', ...ARGS, '--json');
    const { mapperCacheHits: ___, accelmap: ____, ...two } = await cliJson('explore', ...ARGS, '--threads', '2', '--json');
    expect(two).toEqual(one);
    expect(one.evaluated).toBe(6);
  });

  it('finds the same front with a store, and a rerun maps nothing again', async () => {
    const plain = await cliJson('explore', ...ARGS, '--json');
    expect(plain.evaluated).toBe(6);
    const db = tempDb();
    const first = await cliJson('explore', ...ARGS, '--store', db, '--json');
    expect(first.front).toEqual(plain.front);
    const again = await cliJson('explore', ...ARGS, '--store', db, '--json');
    expect(again.fromStore).toBe(6);
    expect(again.front).toEqual(plain.front);
    expect(storedCounts(db)).toEqual({ designs: 6, distinct: 6, okWithoutLayers: 0 });
    // every front member is non-dominated among the stored designs (results --pareto recomputes the front from the store)
    const pareto = await cliJson('results', db, '--pareto', '--json');
    expect(pareto.designs.map((d: { hash: string }) => d.hash).sort()).toEqual(plain.front.map((d: { hash: string }) => d.hash).sort());
    const csv = (await cli('results', db, '--csv')).out.split('\n');
    expect(csv[0]).toBe('hash,space,pe_x,glb,clock,status,latency_s,energy_pj,area_mm2,sram_bytes');
    expect(csv).toHaveLength(7);
    const small = (await cliJson('results', db, '--where', 'pe_x=8 or glb<=32KiB', '--json')).designs as { knobs: { pe_x: number; glb: string } }[];
    const all = (await cliJson('results', db, '--json')).designs as { knobs: { pe_x: number; glb: string } }[];
    expect(small.length).toBeGreaterThanOrEqual(4); // 6 of the 8 designs are evaluated, 6 of the 8 match
    expect(small).toEqual(all.filter((d) => d.knobs.pe_x === 8 || d.knobs.glb === '32KiB'));
    const html = join(mkdtempSync(join(tmpdir(), 'accelmap-results-')), 'front.html');
    expect((await cli('results', db, '--out', html)).code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain(`Pareto front: ${plain.front.length} of 6 designs`);
    for (const d of plain.front) expect(page).toContain(d.hash.slice(0, 10));
    expect(page).toContain('parallel coordinates');
    const chosen = pareto.designs[0] as { hash: string };
    expect((await cli('results', db, '--out', html, '--design', chosen.hash.slice(0, 12))).code).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain(`Layers of design ${chosen.hash.slice(0, 10)}`);
    const one = await cliJson('results', db, '--design', chosen.hash.slice(0, 12), '--json');
    expect(one.design.hash).toBe(chosen.hash);
    expect(one.design.layers.map((l: { name: string }) => l.name)).toHaveLength(1); // the one conv layer
    expect(await cliError('results', db, '--design', 'zz')).toMatch(/--design 'zz' matches no listed design/);
  }, 60_000);

  it('resumes a run killed with SIGKILL and ends with the uninterrupted front, nothing stored twice', async () => {
    const plain = await cliJson('explore', ...KILL_ARGS, '--json');
    const db = tempDb();
    const after = 1 + Math.floor(Math.random() * 4);
    await runAndKill(db, after);
    const before = storedCounts(db);
    expect(before.designs, `killed after ${after} designs`).toBeGreaterThanOrEqual(after);
    expect(before.designs, 'the kill landed before the run ended').toBeLessThan(6);
    expect(before.okWithoutLayers).toBe(0);
    const resumed = await cliJson('explore', ...KILL_ARGS, '--store', db, '--json');
    expect(resumed.fromStore).toBe(before.designs);
    expect(resumed.front).toEqual(plain.front);
    expect(storedCounts(db)).toEqual({ designs: 6, distinct: 6, okWithoutLayers: 0 });
  }, 60_000);

  it('stops starting designs when a seconds budget is spent, and a rerun with the store goes on to the full front', async () => {
    const full = await cliJson('explore', ...KILL_ARGS.map((a) => (a === '6' ? '8' : a)), '--json');
    expect(full.evaluated).toBe(8);
    const timed = KILL_ARGS.filter((a, i) => a !== '--budget' && KILL_ARGS[i - 1] !== '--budget');
    const db = tempDb();
    const short = await cliJson('explore', ...timed, '--budget', '0.05s', '--store', db, '--json');
    expect(short.evaluated).toBeGreaterThanOrEqual(1);
    expect(short.evaluated).toBeLessThan(8);
    const rest = await cliJson('explore', ...timed, '--budget', '600s', '--store', db, '--json');
    expect(rest.fromStore).toBe(short.evaluated);
    expect(rest.evaluated).toBe(8);
    expect(rest.front.map((d: { hash: string }) => d.hash).sort()).toEqual(full.front.map((d: { hash: string }) => d.hash).sort());
    expect(storedCounts(db)).toEqual({ designs: 8, distinct: 8, okWithoutLayers: 0 });
  }, 60_000);

  it('weighs a suite: each design\'s latency and energy are the weighted sums of the single-workload runs', async () => {
    const other = 'conv:K=32,C=16,P=4,Q=4,R=1,S=1';
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-suite-'));
    const suite = join(dir, 'suite.yaml');
    writeFileSync(suite, `- {model: '${LAYER}', weight: 2}\n- {model: '${other}', weight: 0.5}\n`);
    const all8 = ARGS.slice(1).map((a) => (a === '6' ? '8' : a));
    type Row = { knobs: Record<string, unknown>; latencyS: number; energyPj: number; workloads: { name: string; weight: number }[] };
    const rows = async (...models: string[]) => {
      const db = join(dir, `${Math.random()}.db`);
      await cliJson('explore', ...models, ...all8, '--store', db, '--json');
      const designs = (await cliJson('results', db, '--json')).designs as Row[];
      expect(designs).toHaveLength(8);
      return new Map(designs.map((d) => [JSON.stringify(d.knobs), d]));
    };
    const a = await rows(LAYER), b = await rows(other), weighted = await rows('--suite', suite);
    for (const [knobs, w] of weighted) {
      expect(w.latencyS).toBeCloseTo(2 * a.get(knobs)!.latencyS + 0.5 * b.get(knobs)!.latencyS, 15);
      expect(w.energyPj / (2 * a.get(knobs)!.energyPj + 0.5 * b.get(knobs)!.energyPj)).toBeCloseTo(1, 12);
      expect(w.workloads.map((x) => x.weight)).toEqual([2, 0.5]);
    }
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, `- {model: resnet18, weight: -1}\n`);
    expect(await cliError('explore', '--suite', bad, '--space', SPACE)).toMatch(/bad\.yaml:1.*\[0\]\.weight/);
    writeFileSync(bad, `- {model: resnet18, weight: 1}\n- {model: resnet18, weight: 2}\n`);
    expect(await cliError('explore', '--suite', bad, '--space', SPACE)).toMatch(/bad\.yaml:2.*model 'resnet18' appears twice/);
    expect(await cliError('explore', LAYER, '--suite', suite, '--space', SPACE)).toMatch(/--suite replaces the models/);
    expect(await cliError('explore', '--space', SPACE)).toMatch(/explore needs models to map, or --suite/);
  }, 60_000);

  it('maps designs that differ only in the clock once: same cycles and energy, time scaled by the clock', async () => {
    const r = await cliJson('explore', ...ARGS.map((a) => (a === '6' ? '8' : a)), '--json', '--objectives', 'latency,energy');
    expect(r.evaluated).toBe(8);
    expect(r.mapperCacheHits).toBe(4);
    const db = tempDb();
    await cliJson('explore', ...ARGS.map((a) => (a === '6' ? '8' : a)), '--json', '--store', db);
    const all = (await cliJson('results', db, '--json')).designs as { knobs: Record<string, unknown>; latencyS: number; energyPj: number }[];
    for (const slow of all.filter((d) => d.knobs.clock === '200MHz')) {
      const fast = all.find((d) => d.knobs.clock === '400MHz' && d.knobs.pe_x === slow.knobs.pe_x && d.knobs.glb === slow.knobs.glb)!;
      expect(fast.energyPj).toBe(slow.energyPj);
      expect(fast.latencyS).toBeCloseTo(slow.latencyS / 2, 15);
    }
  }, 60_000);

  it('says what is wrong with bad flags and files in one line', async () => {
    expect(await cliError('explore', LAYER, '--space', SPACE, '--objectives', 'latency,speed')).toMatch(/--objectives: 'speed' is not one of latency, energy, area/);
    expect(await cliError('explore', LAYER, '--space', SPACE, '--budget', '10m')).toMatch(/--budget '10m' is not a whole number of designs or a number of seconds/);
    expect(await cliError('explore', LAYER, '--space', SPACE, '--budget', '0s')).toMatch(/--budget '0s'/);
    expect(await cliError('explore', LAYER, '--space', 'no/such.yaml')).toMatch(/no\/such\.yaml/);
    expect(await cliError('results', 'no/such.db')).toMatch(/no\/such\.db: no such results store/);
    const stored = tempDb();
    await cli('explore', ...ARGS, '--budget', '1', '--store', stored);
    expect(await cliError('results', stored, '--where', 'area<<2')).toMatch(/--where 'area<<2': expected a value after 'area<'/);
    const tight = join(mkdtempSync(join(tmpdir(), 'accelmap-space-')), 'tight.yaml');
    writeFileSync(tight, `${readFileSync(SPACE, 'utf8')}constraints:\n  maxAreaMm2: 0.01\n`);
    expect(await cliError('explore', LAYER, '--space', tight, '--no-progress')).toMatch(/tight\.yaml constraints: none of the 8 designs meets the constraints/);
    const notDb = join(mkdtempSync(join(tmpdir(), 'accelmap-results-')), 'text.db');
    writeFileSync(notDb, 'this is not a database, just some text that is long enough to have a header\n'.repeat(4));
    expect(await cliError('results', notDb)).toMatch(/text\.db: cannot open the results store: file is not a database/);
  });
});
