import { loadArch } from './src/arch/load.js';
import { layerWork } from './src/network/layers.js';
import { loadGraph } from './src/workload/load.js';
import { dataflowConstraints } from './src/search/dataflows.js';
import { searchProblem } from './src/search/search.js';
import { parseObjective } from './src/search/objective.js';
import { mappingToDirectives } from './src/mapping/directives.js';
const [model, layer, archName, flow] = process.argv.slice(2);
const all = layerWork(loadGraph(model!)); const w = all.find((x) => x.name === layer) ?? (console.log(all.filter(x=>x.name.includes(layer!.split('.')[0]!+'.'+layer!.split('.')[1]!)).map(x=>x.name).join(' ')), process.exit(0));
const p = w.problems[0]!.problem;
console.log(p.dims.map((d, i) => d + p.bounds[i]).join(' '));
const arch = loadArch(archName!);
const o = parseObjective('edp');
const c = dataflowConstraints(flow as 'rs', p, arch);
const e = searchProblem(p, arch, c, { strategy: 'exhaustive', objective: o, budget: { seconds: 120 }, seed: 1 });
for (const seed of [1, 2, 3]) {
  const r = searchProblem(p, arch, c, { strategy: 'descent', objective: o, budget: { evaluations: 20000 }, seed });
  console.log('seed', seed, 'gap', ((r.cycles * r.energyPj) / (e.cycles * e.energyPj) - 1).toFixed(4), r.valid, '/', r.evaluated);
  if (seed === 1) for (const d of mappingToDirectives(p, arch, r.mapping!)) if (d.type !== 'bypass') console.log('  ', d.target, d.type, d.factors);
}
console.log('exh', e.cycles, e.energyPj.toExponential(4));
for (const d of mappingToDirectives(p, arch, e.mapping!)) if (d.type !== 'bypass') console.log('  ', d.target, d.type, d.factors);
import { derivedSeed } from './src/search/job.js';
import { problemKey } from './src/problem/types.js';
{
  const seed = derivedSeed(1, `${problemKey(p)}/${flow}x2`);
  for (const budget of [20000, 40000]) {
    const r = searchProblem(p, arch, c, { strategy: 'descent', objective: o, budget: { evaluations: budget }, seed });
    console.log('bench seed', budget, 'gap', ((r.cycles * r.energyPj) / (e.cycles * e.energyPj) - 1).toFixed(4));
    for (const d of mappingToDirectives(p, arch, r.mapping!)) if (d.type !== 'bypass') console.log('  ', d.target, d.type, d.factors);
  }
}
