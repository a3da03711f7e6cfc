import { loadArch } from './src/arch/load.js';
import { layerWork } from './src/network/layers.js';
import { loadGraph } from './src/workload/load.js';
import { dataflowConstraints } from './src/search/dataflows.js';
import { searchProblem } from './src/search/search.js';
import { parseObjective } from './src/search/objective.js';
import { mappingToDirectives } from './src/mapping/directives.js';
const arch = loadArch('simba');
const o = parseObjective('edp');
const seen = new Set<string>();
for (const w of layerWork(loadGraph('resnet50'))) {
  if (w.op !== 'Conv') continue;
  const p = w.problems[0]!.problem;
  const key = p.bounds.join(',');
  if (seen.has(key)) continue;
  seen.add(key);
  const c = dataflowConstraints('ws', p, arch);
  const e = searchProblem(p, arch, c, { strategy: 'exhaustive', objective: o, budget: { seconds: 60 }, seed: 1 });
  const r = searchProblem(p, arch, c, { strategy: 'descent', objective: o, budget: { evaluations: 20000 }, seed: 1 });
  const gap = (r.cycles * r.energyPj) / (e.cycles * e.energyPj) - 1;
  console.log(w.name, key, gap.toFixed(3), e.complete, e.evaluated);
  if (gap < -0.001) {
    for (const [n, x] of [['exh', e], ['desc', r]] as const) {
      console.log(n, x.cycles, x.energyPj.toExponential(4));
      for (const d of mappingToDirectives(p, arch, x.mapping!)) if (d.type !== 'bypass') console.log('  ', d.target, d.type, d.factors, d.permutation);
    }
    break;
  }
}
