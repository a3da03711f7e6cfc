// The cycle-level systolic simulator against the analytical cost model on
// SCALE-Sim's 32×32 configurations (presets/scalesim/scale.cfg, scale_ws.cfg,
// scale_is.cfg: os, ws, is), layer by layer, for AlexNet, ResNet-18 and one
// BERT-base encoder layer (GEMM form). Per layer: MACs (equal), the
// simulator's stepped cycles against the model's throughput cycles and the
// difference in folds × fill/drain, the four SRAM streams (simulator / model;
// equal unless the array leaves part of the last fold idle, when the model
// streams that padding), and the simulator's mapping efficiency against the
// model's utilization. `npm run bench -- systolic-model [alexnet|resnet18|transformer_gemm]`.
import { compareWithSimulator, type SimulatorModelAgreement } from '../src/interop/scalesim/analytical.js';
import { readScaleSimConfig, toArraySpec } from '../src/interop/scalesim/config.js';
import { readTopology } from '../src/interop/scalesim/topology.js';
import { simulateLayer } from '../src/sim/systolic/simulate.js';
import { presetPath } from '../src/util/paths.js';
import { renderTable } from '../src/report/table.js';

const TOPOLOGIES = [
  { file: 'alexnet.csv', form: 'conv' as const },
  { file: 'resnet18.csv', form: 'conv' as const },
  { file: 'transformer_gemm.csv', form: 'gemm' as const },
];
const CONFIGS = ['scale.cfg', 'scale_ws.cfg', 'scale_is.cfg'];
const wanted = process.argv.slice(2);

const exact = (a: SimulatorModelAgreement) =>
  a.macs.model === a.macs.simulated &&
  a.cycles.model === a.folds * a.cycles.stream &&
  a.cycles.simulated - a.cycles.model === a.folds * a.cycles.fillDrainPerFold &&
  Object.values(a.sram).every((s) => s.model * s.den === s.simulated * s.num) &&
  Math.abs(a.utilization.model - a.utilization.mappingEfficiency) < 1e-12;
const pair = (s: { simulated: number; model: number }) => (s.simulated === s.model ? String(s.model) : `${s.simulated} / ${s.model}`);

let allExact = true;
for (const t of TOPOLOGIES.filter((x) => wanted.length === 0 || wanted.some((w) => x.file.includes(w)))) {
  const layers = readTopology(presetPath('scalesim', t.file), t.form);
  for (const cfg of CONFIGS) {
    const spec = toArraySpec(readScaleSimConfig(presetPath('scalesim', cfg)).config);
    const start = process.cpuUsage();
    const rows = layers.map((layer) => compareWithSimulator(spec, layer, simulateLayer(spec, layer)));
    const used = process.cpuUsage(start);
    console.log(`\n${t.file} on ${spec.rows}×${spec.cols} ${spec.dataflow} (${cfg}), simulated and modeled in ${((used.user + used.system) / 1e6).toFixed(1)} s CPU`);
    console.log(
      renderTable(
        ['layer', 'MACs', 'folds', 'sim cycles', 'model cycles', 'sim − model', '= folds × fill/drain', 'ifmap reads', 'filter reads', 'ofmap writes', 'ofmap reads', 'mapping eff.', 'model util.', 'exact'],
        rows.map((a) => [
          a.layer,
          pair(a.macs),
          a.folds,
          a.cycles.simulated,
          a.cycles.model,
          a.cycles.simulated - a.cycles.model,
          `${a.folds} × ${a.cycles.fillDrainPerFold}`,
          pair(a.sram.ifmapReads),
          pair(a.sram.filterReads),
          pair(a.sram.ofmapWrites),
          pair(a.sram.ofmapReads),
          `${(a.utilization.mappingEfficiency * 100).toFixed(2)}%`,
          `${(a.utilization.model * 100).toFixed(2)}%`,
          exact(a) ? 'yes' : 'NO',
        ]),
      ),
    );
    allExact &&= rows.every(exact);
  }
}
console.log(`\nevery relation exact: ${allExact ? 'yes' : 'NO'}`);
if (!allExact) process.exitCode = 1;
