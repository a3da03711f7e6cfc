import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { sharedDir } from '../../src/util/shared.js';
import { minimize, Pool, runCampaign } from './campaign.js';
import { loadCorpus, TARGETS } from './corpus.js';
import { mutateYaml } from './mutate.js';
import { runTarget } from './targets.js';

/**
 * A short seeded fuzzing run of every reader (`npm run fuzz` runs long
 * ones), and the harness's own checks: it must tell a crash, a hang and an
 * out-of-memory apart, and minimize what it finds.
 */
const shared = existsSync(sharedDir('onnx-tests'));
if (!shared) console.log('fuzz: ../shared is absent; fuzzing the in-repo seeds only');

describe('a short fuzzing run', () => {
  it('2,000 mutated inputs: every one accepted with sound figures or refused with one clean line', async () => {
    const out = mkdtempSync(join(tmpdir(), 'accelmap-fuzz-'));
    const report = await runCampaign({ cases: 2000, seed: 1, corpus: loadCorpus({ shared }), timeMs: 10_000, memoryMb: 512, outDir: out });
    const bad = report.findings.map((f) => `${f.outcome} in case ${f.case} (${f.seed}, ${f.what}): ${f.detail.split('\n')[0]}`);
    expect(bad).toEqual([]);
    expect(readdirSync(out)).toEqual([]);
    const { success, clean } = report.counts;
    expect(success + clean).toBe(2000);
    // every reader got cases, and the mutations reach past the first check: some are accepted, some refused
    for (const t of TARGETS) {
      expect(report.byTarget[t].success, t).toBeGreaterThan(0);
      expect(report.byTarget[t].clean, t).toBeGreaterThan(0);
    }
  }, 120_000);
});

describe('mutations', () => {
  it('edit YAML the library reads but cannot write back (an alias without its anchor) as text', () => {
    for (let s = 0; s < 200; s++) expect(mutateYaml('a: [*gone, 1]\nb: 2\n', new Rng(s)).data.length).toBeGreaterThanOrEqual(0);
  });
});

describe('the harness', () => {
  const pool = new Pool(1, 3000, 64);
  afterAll(() => pool.close());
  const file = (text: string) => [{ role: 'probe', name: 'probe.txt', data: new TextEncoder().encode(text) }];

  it('tells a clean error, a crash, a hang and an out-of-memory apart, and keeps going after each', async () => {
    expect((await pool.run('onnx', file('abc'), false, 'crash-on-X')).outcome).toBe('clean');
    expect(await pool.run('onnx', file('aXc'), false, 'crash-on-X')).toMatchObject({ outcome: 'crash', detail: expect.stringMatching(/^TypeError: probe: an X/) });
    expect((await pool.run('onnx', file(''), false, 'hang')).outcome).toBe('hang');
    expect((await pool.run('onnx', file(''), false, 'oom')).outcome).toBe('oom');
    expect((await pool.run('onnx', file('abc'), false, 'crash-on-X')).outcome).toBe('clean');
  }, 60_000);

  it('minimizes a crashing input to what makes it crash', async () => {
    const big = `${'line of padding\n'.repeat(20)}the X is here\n${'more padding\n'.repeat(20)}`;
    const min = await minimize(new TextEncoder().encode(big), true, async (d) => (await pool.run('onnx', [{ role: 'probe', name: 'p', data: d }], false, 'crash-on-X')).outcome === 'crash', 400);
    expect(new TextDecoder().decode(min)).toBe('X');
  }, 60_000);

  it('reads the same seeds a fresh clone has: the built ONNX models and every preset', () => {
    const corpus = loadCorpus({ shared: false });
    expect(corpus.onnx.map((s) => s.name)).toEqual(['built:cnn', 'built:attention', 'built:split', 'built:shapeChain']);
    expect(corpus.arch.length).toBe(readdirSync('presets/arch').filter((f) => f.endsWith('.yaml')).length);
    for (const s of [...corpus.timeloop, ...corpus.scalesim]) for (const f of s.files) expect(readFileSync(f.name).length).toBe(f.data.length);
  });

  it('finds every shipped preset and built model sound, unmutated: the properties hold for real inputs', () => {
    const corpus = loadCorpus({ shared: false });
    for (const t of TARGETS) for (const s of corpus[t]) expect(runTarget(t, s.files, s.gemm), s.name).toEqual([]);
  }, 60_000);
});
