// accelmap as a library: map one layer, then a whole model, on an
// Eyeriss-like accelerator. Every result is plain data (JSON.stringify keeps it).
import { evaluate, loadArch, loadGraph, loadLayer, mapNetwork, searchMapping } from 'accelmap';

const arch = loadArch('eyeriss');

// One loop nest: ResNet's 3×3 convolution at 56×56, searched in this thread.
const layer = searchMapping(loadLayer('conv:K=64,C=64,P=56,Q=56,R=3,S=3'), arch, { budget: { evaluations: 5000 } });
console.log(`conv 3×3: ${layer.cost.cycles} cycles, ${(layer.cost.energyPj / 1e6).toFixed(1)} µJ, utilization ${(100 * layer.cost.utilization).toFixed(1)}%`);

// The mapping is Timeloop-style directives: store it, edit it, cost it again.
const again = evaluate(layer.problem, arch, layer.mapping);

// A whole model: each distinct loop nest searched once, on worker threads.
const graph = loadGraph('resnet18');
const net = await mapNetwork(graph, arch, { budget: { evaluations: 2000 }, onProgress: (message) => console.error(message) });
const slowest = [...net.layers].sort((a, b) => b.cycles - a.cycles)[0]!;
console.log(`${net.model}: ${net.totals.cycles} cycles, ${(net.totals.energyPj / 1e6).toFixed(0)} µJ; slowest layer ${slowest.name} (${slowest.op})`);

console.log(JSON.stringify({ layerCycles: layer.cost.cycles, againCycles: again.cycles, layers: net.layers.length, nodes: graph.nodes.length, totalCycles: net.totals.cycles }));
