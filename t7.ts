import { loadArch } from './src/arch/load.js';
import { parseLayerSpec } from './src/problem/parse.js';
import { dataflowConstraints } from './src/search/dataflows.js';
import { searchProblem } from './src/search/search.js';
import { parseObjective } from './src/search/objective.js';
const arch = loadArch(process.argv[2]!);
const o = parseObjective('edp');
for (const spec of process.argv.slice(4)) {
  const p = parseLayerSpec(spec);
  const c = dataflowConstraints(process.argv[3] as 'rs', p, arch);
  const e = searchProblem(p, arch, c, { strategy: 'exhaustive', objective: o, budget: { seconds: 120 }, seed: 1 });
  const line = [spec, `exh ${(e.cycles*e.energyPj).toExponential(4)} ${e.complete} ${e.evaluated}`];
  for (const s of ['anneal', 'descent'] as const) {
    const r = searchProblem(p, arch, c, { strategy: s, objective: o, budget: { evaluations: 20000 }, seed: 1 });
    line.push(`${s} gap ${(100*((r.cycles*r.energyPj)/(e.cycles*e.energyPj)-1)).toFixed(2)}% ${r.seconds.toFixed(2)}s`);
  }
  console.log(line.join(' | '));
}
