/**
 * `accelmap map --timeloop` against Timeloop's own mapper on the designs of
 * the public Timeloop/Accelergy exercises (test/fixtures/timeloop-exercises):
 * ISPASS 2020 exercise 06 (Eyeriss-like, VGG02 layer 5) and eyeriss_like's
 * default problem. Per case: the wall time of the whole command in-process
 * (reading the files, the search on every core, the report; at `map`'s default budget and at a tenth of it), the EDP of the mapping found and of the reference mapping
 * Timeloop's mapper committed (its stats.txt), both under `--convention
 * timeloop`, and their ratio (below 1: accelmap's mapping is better). The
 * baseline measured in the same run is one evaluation of the reference
 * mapping by `accelmap timeloop`. `npm run bench -- timeloop-map`.
 */
import { join } from 'node:path';
import { memoryIo } from '../src/cli/io.js';
import { run } from '../src/cli/main.js';
import { MAP_DEFAULTS } from '../src/api/mapping.js';
import { readReferenceStats } from '../test/timeloop-reference.js';

const ROOT = join(import.meta.dirname, '..', 'test', 'fixtures', 'timeloop-exercises');
const CASES = ['ispass-06-eyeriss', 'eyeriss_like'];

async function timed(args: string[]): Promise<{ ms: number; json: any }> {
  const io = memoryIo();
  const t0 = performance.now();
  const code = await run(args, io);
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`${args.join(' ')}: ${io.stderr.join('\n')}`);
  return { ms, json: JSON.parse(io.stdout.join('\n')) };
}

console.log('case               budget  command s  baseline ms  found cycles  found µJ  ref cycles  ref µJ (Timeloop)  EDP found / ref');
const BUDGETS = [MAP_DEFAULTS.budget.evaluations, MAP_DEFAULTS.budget.evaluations / 10].map(String);
for (const name of CASES) for (const budget of BUDGETS) {
  const f = (x: string) => join(ROOT, name, x);
  const ref = readReferenceStats(f('stats.txt'));
  const base = await timed(['timeloop', f('parsed-processed-input.yaml'), f('map.yaml'), f('ERT.yaml'), '--json']);
  const found = await timed(['map', '--timeloop', f('parsed-processed-input.yaml'), f('ERT.yaml'), '--convention', 'timeloop', '--json', '--no-progress', '--budget', budget]);
  const edp = found.json.totals.cycles * found.json.totals.energyPj;
  const refEdp = base.json.summary.cycles * base.json.summary.energyPj;
  console.log(
    `${name.padEnd(18)} ${budget.padStart(6)}  ${(found.ms / 1000).toFixed(2).padStart(9)}  ${base.ms.toFixed(0).padStart(11)}  ${String(found.json.totals.cycles).padStart(12)}  ${(found.json.totals.energyPj / 1e6).toFixed(2).padStart(8)}  ${String(ref.cycles).padStart(10)}  ${(ref.energyPj / 1e6).toFixed(2).padStart(17)}  ${(edp / refEdp).toFixed(3).padStart(15)}`,
  );
}
process.exit(0);
