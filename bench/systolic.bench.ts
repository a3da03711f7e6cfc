// Whole AlexNet (presets/scalesim/alexnet.csv: 5 conv + 3 FC layers) on a
// 32×32 array with 64 kB SRAMs, per dataflow, through the cycle-level
// simulator. Baselines measured in the same run:
// - closed form: SCALE-Sim's fold formula for the same layers (what a
//   throughput model pays: no stepping at all);
// - edge floor: one typed-array update per edge lane (rows + cols) per
//   simulated cycle, the least work any O(edge)-per-cycle stepper must do.
import { readTopology } from '../src/interop/scalesim/topology.js';
import { lowerLayer } from '../src/sim/systolic/im2col.js';
import { simulateLayer } from '../src/sim/systolic/simulate.js';
import { DATAFLOWS, type Dataflow, type SystolicArraySpec } from '../src/sim/systolic/types.js';
import { presetPath } from '../src/util/paths.js';

const layers = readTopology(presetPath('scalesim', 'alexnet.csv'), 'conv');
const R = 32;
const C = 32;

function closedFormCycles(df: Dataflow): number {
  let total = 0;
  for (const layer of layers) {
    const g = lowerLayer(layer);
    const [Sr, Sc, T] = df === 'os' ? [g.pixels, g.filters, g.window] : df === 'ws' ? [g.window, g.filters, g.pixels] : [g.window, g.pixels, g.filters];
    total += Math.ceil(Sr / R) * Math.ceil(Sc / C) * ((df === 'os' ? R : 2 * R) + C + T - 2);
  }
  return total;
}

function edgeFloorMs(cycles: number): number {
  const lanes = new Int32Array(R + C);
  const t0 = performance.now();
  for (let cycle = 0; cycle < cycles; cycle++) for (let i = 0; i < R + C; i++) lanes[i] += cycle & 1;
  const ms = performance.now() - t0;
  if (lanes[0] === -1) console.log('unreachable');
  return ms;
}

console.log(`AlexNet (${layers.length} layers) on a ${R}×${C} array, 64 kB SRAMs, CALC bandwidth`);
console.log('dataflow  cycles      sim time   Mcycles/s  closed form  edge floor  sim / floor');
for (const dataflow of DATAFLOWS) {
  const spec: SystolicArraySpec = { rows: R, cols: C, dataflow, sramWords: { ifmap: 65536, filter: 65536, ofmap: 65536 }, dramBandwidth: 'calc' };
  const t0 = performance.now();
  let cycles = 0;
  for (const layer of layers) cycles += simulateLayer(spec, layer).computeCycles;
  const simMs = performance.now() - t0;
  const t1 = performance.now();
  const formula = closedFormCycles(dataflow);
  const formulaMs = performance.now() - t1;
  if (formula !== cycles) throw new Error(`${dataflow}: stepped ${cycles} cycles, closed form ${formula}`);
  const floorMs = edgeFloorMs(cycles);
  console.log(
    `${dataflow.padEnd(8)}  ${String(cycles).padEnd(10)}  ${(simMs / 1000).toFixed(2).padStart(6)} s  ${(cycles / simMs / 1000).toFixed(2).padStart(9)}  ${formulaMs.toFixed(3).padStart(8)} ms  ${floorMs.toFixed(0).padStart(7)} ms  ${(simMs / floorMs).toFixed(1).padStart(10)}×`,
  );
}
