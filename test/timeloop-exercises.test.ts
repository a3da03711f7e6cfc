import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTimeloop } from '../src/interop/timeloop/load.js';
import { timeloopStats } from '../src/interop/timeloop/stats.js';
import { readReferenceStats } from './timeloop-reference.js';

/**
 * Agreement with the reference outputs committed in the public
 * timeloop-accelergy-exercises repository (test/fixtures/timeloop-exercises,
 * copied by scripts/timeloop-exercise-fixtures.sh; its LICENSE and COMMIT
 * are there). Each case gives accelmap the run's own files — the
 * parsed-processed-input.yaml timeloopfe wrote, the mapper's map.yaml for
 * mapper runs, and the run's ERT — and compares, under `--convention
 * timeloop`, with the stats.txt Timeloop wrote: cycles and every level's
 * per-instance scalar reads, fills and updates exactly, total energy within
 * 0.5%. docs/timeloop-convention.md holds the table.
 */
const ROOT = join(__dirname, 'fixtures', 'timeloop-exercises');
const CASES = readdirSync(ROOT).filter((n) => existsSync(join(ROOT, n, 'stats.txt')));


function evaluate(name: string) {
  const dir = join(ROOT, name);
  const files = [join(dir, 'parsed-processed-input.yaml'), ...(existsSync(join(dir, 'map.yaml')) ? [join(dir, 'map.yaml')] : []), join(dir, 'ERT.yaml')];
  const inputs = loadTimeloop(files);
  return timeloopStats(inputs.problem, inputs.arch, inputs.mapping, { convention: 'timeloop' });
}

describe("Timeloop's committed reference outputs, under --convention timeloop", () => {
  it('covers the exercises named for agreement', () => {
    for (const c of ['eyeriss_like', 'simba_like', 'simple_weight_stationary', 'simple_output_stationary', 'ispass-06-eyeriss', 'ispass-accelergy-intmac', 'tutorial-2024']) expect(CASES).toContain(c);
  });

  for (const name of CASES) {
    it(name, () => {
      const ref = readReferenceStats(join(ROOT, name, 'stats.txt'));
      const stats = evaluate(name);
      expect(stats.summary.cycles).toBe(ref.cycles);
      expect(stats.summary.computes).toBe(ref.computes);
      for (const [level, spaces] of ref.levels) {
        const mine = stats.levels.find((l) => l.level === level);
        expect(mine, level).toBeDefined();
        for (const [space, counts] of spaces) {
          const d = mine!.dataSpaces.find((x) => x.dataSpace === space);
          expect([d?.scalarReads, d?.scalarFills, d?.scalarUpdates], `${level}.${space}`).toEqual(counts);
        }
      }
      expect(Math.abs(stats.summary.energyPj / ref.energyPj - 1)).toBeLessThan(0.005);
    });
  }
});
