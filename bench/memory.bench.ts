// Training-memory planner: accelmap beside the published vDNN results
// (MICRO'16) on the Titan X, and the time to plan the largest models.
// Planning times are medians of 9 runs after a warm-up, given also as a ratio to building
// the same training graph (measured in the same run).
import { loadDevice } from '../src/device/load.js';
import { comparePolicies, planWith, preparePlanner } from '../src/memory/plan.js';
import { reductionRow, vgg16Row, VDNN_PUBLISHED } from '../src/memory/vdnn.js';
import { renderTable } from '../src/report/table.js';
import { formatPercent } from '../src/util/units.js';
import { loadGraph, type LoadOptions } from '../src/workload/load.js';
import { medianMs } from './timing.js';

const titanX = loadDevice('titan-x');
const GB = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;
const pct = (x: number) => formatPercent(x, 0);

console.log('vDNN (Rhu et al., MICRO\'16) beside accelmap on titan-x (6.1 TFLOPS, 336.5 GB/s, 12 GiB, PCIe 3.0 x16 at 80%)\n');
console.log('Average memory cut by offloading: vDNN_all with memory-optimal convolutions against the network-wide baseline');
const rows = ['alexnet_caffe', 'alexnet', 'overfeat', 'googlenet'].map((m) => reductionRow(loadGraph(m, { batch: 128, mode: 'train' }), titanX));
console.log(
  renderTable(
    ['network', 'batch', 'published', 'accelmap', 'network-wide', 'average (all, lean)', 'each conv its workspace', 'accelmap vs that', 'resident weights', 'accelmap, feature maps only'],
    rows.map((r) => [r.model, r.batch, pct(r.published), pct(r.reduction), GB(r.networkWideBytes), GB(r.avgBytes), GB(r.networkWideEachWorkspaceBytes), pct(r.reductionEachWorkspace), GB(r.persistentBytes), pct(r.reductionFeatureMaps)]),
  ),
);

console.log('\nVGG-16 at batch 256: memory needed, and vDNN_dyn on a 12 GiB Titan X');
const vggRows = [];
const roofline = { ...titanX, name: 'titan-x at its roofline (no efficiency factors)', efficiency: undefined };
for (const optimizer of ['momentum', 'sgd'] as const) {
  const graph = loadGraph('vgg16', { batch: 256, mode: 'train', optimizer });
  for (const device of [titanX, roofline]) vggRows.push(vgg16Row(graph, device, optimizer));
}
console.log(
  renderTable(
    ['optimizer', 'device', 'buffers (no workspace)', 'largest workspace', 'dyn fits 12 GiB', 'dyn peak', 'dyn chooses', 'dyn slowdown'],
    vggRows.map((r) => [r.optimizer, r.device, GB(r.buffersBytes), GB(r.largestWorkspaceBytes), r.fits ? 'yes' : 'no', GB(r.peakBytes), `${r.configuration.offload} offload, ${r.configuration.leanConvolutions} lean convs`, pct(r.slowdown)]),
  ),
);
console.log(`published: ${GB(VDNN_PUBLISHED.vgg16Bytes)} needed; trains on 12 GB with vDNN_dyn at ${pct(VDNN_PUBLISHED.vgg16Slowdown)} slowdown`);

console.log('\nPlanning time (median of 9): dyn plan, and every policy compared, as the CLI does');
const timing: (string | number)[][] = [];
for (const [model, o, device] of [
  ['vgg16', { batch: 256 }, 'titan-x'],
  ['googlenet', { batch: 128 }, 'titan-x'],
  ['gpt2', { batch: 8 }, 'v100-16gb'],
  ['gpt2', { batch: 32 }, 'a100-80gb'],
] as [string, LoadOptions, string][]) {
  const dev = loadDevice(device);
  const load = () => loadGraph(model, { ...o, mode: 'train' });
  const graph = load();
  const build = medianMs(load);
  const plan = medianMs(() => planWith(preparePlanner(graph, dev), 'dyn'));
  const all = medianMs(() => {
    const p = preparePlanner(graph, dev);
    planWith(p, 'dyn');
    comparePolicies(p);
  });
  timing.push([`${model} batch ${o.batch} on ${device}`, graph.nodes.length, `${build.toFixed(0)} ms`, `${plan.toFixed(0)} ms`, `${(plan / build).toFixed(1)}×`, `${all.toFixed(0)} ms`, `${(all / build).toFixed(1)}×`]);
}
console.log(renderTable(['model', 'nodes', 'build graph', 'plan dyn', '× build', 'plan + compare all', '× build'], timing));
