import { loadArch } from './src/arch/load.js';
import { parseLayerSpec } from './src/problem/parse.js';
import { dataflowConstraints } from './src/search/dataflows.js';
import { searchProblem } from './src/search/search.js';
import { parseObjective } from './src/search/objective.js';
import { mappingToDirectives } from './src/mapping/directives.js';
const arch = loadArch('eyeriss');
const o = parseObjective('edp');
const p = parseLayerSpec('conv:K=64,C=3,P=112,Q=112,R=7,S=7,stride=2');
const c = dataflowConstraints('rs', p, arch);
const e = searchProblem(p, arch, c, { strategy: 'exhaustive', objective: o, budget: { seconds: 120 }, seed: 1 });
const r = searchProblem(p, arch, c, { strategy: 'descent', objective: o, budget: { evaluations: 20000 }, seed: 1 });
for (const [n, x] of [['exh', e], ['desc', r]] as const) {
  console.log(n, x.cycles, x.energyPj.toExponential(4));
  for (const d of mappingToDirectives(p, arch, x.mapping!)) if (d.type !== 'bypass') console.log('  ', d.target, d.type, d.factors);
}
