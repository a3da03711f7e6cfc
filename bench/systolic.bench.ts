// Whole AlexNet (presets/scalesim/alexnet.csv: 5 conv + 3 FC layers) on a
// 32×32 array with 64 kB SRAMs, per dataflow, through the cycle-level
// simulator. Baselines measured in the same run:
// - closed form: SCALE-Sim's fold formula for the same layers (what a
//   throughput model pays: no stepping at all);
// - edge floor: one typed-array update per edge lane (rows + cols) per
//   simulated cycle, the least work any O(edge)-per-cycle stepper must do.
// Times are CPU times of this (single-threaded) process, which a busy
// machine disturbs less than wall time.
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

function cpuMs<T>(f: () => T): { ms: number; value: T } {
  const before = process.cpuUsage();
  const value = f();
  const used = process.cpuUsage(before);
  return { ms: (used.user + used.system) / 1000, value };
}

function edgeFloor(cycles: number): number {
  const lanes = new Int32Array(R + C);
  for (let cycle = 0; cycle < cycles; cycle++) for (let i = 0; i < R + C; i++) lanes[i] += cycle & 1;
  return lanes[0]!;
}

edgeFloor(1e6); // warm-up
console.log(`AlexNet (${layers.length} layers) on a ${R}×${C} array, 64 kB SRAMs, CALC bandwidth`);
console.log('dataflow  cycles      sim time   Mcycles/s  closed form  edge floor  sim / floor');
for (const dataflow of DATAFLOWS) {
  const spec: SystolicArraySpec = { rows: R, cols: C, dataflow, sramWords: { ifmap: 65536, filter: 65536, ofmap: 65536 }, dramBandwidth: 'calc' };
  const sim = cpuMs(() => layers.reduce((cycles, layer) => cycles + simulateLayer(spec, layer).computeCycles, 0));
  const formula = cpuMs(() => closedFormCycles(dataflow));
  if (formula.value !== sim.value) throw new Error(`${dataflow}: stepped ${sim.value} cycles, closed form ${formula.value}`);
  const floor = [0, 1, 2].map(() => cpuMs(() => edgeFloor(sim.value))).reduce((a, b) => (a.ms < b.ms ? a : b));
  console.log(
    `${dataflow.padEnd(8)}  ${String(sim.value).padEnd(10)}  ${(sim.ms / 1000).toFixed(2).padStart(6)} s  ${(sim.value / sim.ms / 1000).toFixed(2).padStart(9)}  ${formula.ms.toFixed(1).padStart(8)} ms  ${floor.ms.toFixed(0).padStart(7)} ms  ${(sim.ms / floor.ms).toFixed(1).padStart(10)}×`,
  );
}
