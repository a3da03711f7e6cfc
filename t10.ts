import { loadArch } from './src/arch/load.js';
import { layerWork } from './src/network/layers.js';
import { loadGraph } from './src/workload/load.js';
import { dataflowConstraints } from './src/search/dataflows.js';
import { searchProblem } from './src/search/search.js';
import { parseObjective } from './src/search/objective.js';
import { derivedSeed } from './src/search/job.js';
import { problemKey } from './src/problem/types.js';
const arch = loadArch('eyeriss');
const o = parseObjective('edp');
const cases = [["mobilenet_v2", "features.14.project"], ["resnet50", "layer2.0.conv2"], ["resnet50", "layer3.0.conv3"], ["resnet50", "conv1"], ["resnet50","layer3.0.conv2"], ["resnet50","layer4.1.conv2"]];
const out: string[] = [];
for (const [model, layer] of cases) {
  const p = layerWork(loadGraph(model!)).find((x) => x.name === layer)!.problems[0]!.problem;
  const c = dataflowConstraints('rs', p, arch);
  const e = searchProblem(p, arch, c, { strategy: 'exhaustive', objective: o, budget: { seconds: 120 }, seed: 1 });
  const gaps = [];
  for (const extra of ['', 'x1', 'x2']) {
    const seed = derivedSeed(1, `${problemKey(p)}/rs${extra}`);
    const r = searchProblem(p, arch, c, { strategy: 'descent', objective: o, budget: { evaluations: 20000 }, seed });
    gaps.push((100 * ((r.cycles * r.energyPj) / (e.cycles * e.energyPj) - 1)).toFixed(1));
  }
  out.push(`${layer}: ${gaps.join(' ')}`);
}
console.log(process.env.XCHAINS, process.env.XKICK, process.env.XKICKR, '|', out.join(' | '));
