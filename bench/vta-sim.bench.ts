/**
 * Speed of the VTA simulator's two halves, in simulated cycles per second of
 * wall time, measured separately on every VTA layer of resnet18 (IMAGE,
 * default 64×64, seeded weights, int8 calibrated on one seeded input) under
 * the default schedules: the functional half (bit-exact execution) and the
 * timing half (the three modules and the token queues), both over the same
 * programs in this run, so their ratio is what to read on a noisy machine.
 * The checker's time is reported apart (it runs once per program).
 */
import { seededInputs } from '../src/execute/inputs.js';
import { seededParams } from '../src/execute/params.js';
import { checkProgram } from '../src/targets/vta/check.js';
import { compileVta } from '../src/targets/vta/compile.js';
import { runFunctional } from '../src/targets/vta/functional.js';
import { quantizeGraph } from '../src/targets/vta/qgraph.js';
import { loadVtaTarget } from '../src/targets/vta/spec.js';
import { runTiming } from '../src/targets/vta/timing.js';
import { loadGraph } from '../src/workload/load.js';
import { numel } from '../src/workload/graph.js';

const IMAGE = Number(process.env.IMAGE ?? 64);
const graph = loadGraph('resnet18', { imageSize: IMAGE });
const q = quantizeGraph(graph, seededParams(graph, 1), { calibration: [seededInputs(graph, 2)], method: 'max' });
const t = loadVtaTarget('vta');
const c = compileVta(t, q);
const passes = c.layers.flatMap((cl) => cl.lowered.passes.map((p, i) => ({ p, dram: p.dram(i === 0 ? cl.layer.inputs.map((n) => new Int8Array(numel(q.graph.tensors[n]!.shape)).fill(3)) : [new Int8Array(cl.lowered.passes[i - 1]!.elements)]) })));

const time = (f: () => void): number => {
  const t0 = performance.now();
  f();
  return (performance.now() - t0) / 1000;
};
let cycles = 0;
const check = time(() => passes.forEach(({ p, dram }) => checkProgram(t, p.program, dram)));
const functional = time(() => passes.forEach(({ p, dram }) => runFunctional(t, p.program, dram)));
// the timing half is fast: repeated over all programs until it has run at least as long as a second
let repeats = 0;
let timing = 0;
while (timing < 1) {
  timing += time(() => passes.forEach(({ p }) => (cycles += runTiming(t, p.program).cycles)));
  repeats++;
}
cycles /= repeats;
const insns = passes.reduce((s, { p }) => s + p.program.insns.length, 0);
console.log(`resnet18 ${IMAGE}×${IMAGE}: ${passes.length} programs, ${insns} instructions, ${cycles} simulated cycles`);
console.log(`  timing half:     ${(timing / repeats).toFixed(4)} s per run (${repeats} runs), ${((cycles * repeats) / timing / 1e6).toFixed(1)} M simulated cycles/s`);
console.log(`  functional half: ${functional.toFixed(2)} s, ${(cycles / functional / 1e6).toFixed(1)} M simulated cycles/s`);
console.log(`  timing / functional speed: ${(functional / (timing / repeats)).toFixed(0)}× (same programs, this run); checker: ${check.toFixed(2)} s`);
