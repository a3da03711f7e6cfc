/**
 * The VTA schedule tuner on resnet18 (224×224, seeded weights, int8
 * calibrated on two seeded inputs): for the default target and two knob
 * settings (a fully pipelined ALU, initiation interval 1; a (1,32)×(32,32)
 * GEMM intrinsic; 32 ALU lanes, alone and fully pipelined; another buffer
 * split; a faster clock with a deeper GEMM pipeline), the simulated cycles of the whole network under the
 * default schedules (the activations fused into the GEMM epilogue, and run
 * as separate ALU passes) and after tuning with each of the tuner's
 * strategies at the same budget (nsga2 and random), and their ratios, all
 * in this run.
 * Also the timing half's speed: simulated cycles per second of wall time
 * while tuning (noisy on a shared machine). TRIALS (default 16) schedules
 * per layer; SEED (default 1) fixes the order they are tried in.
 */
import { seededInputs } from '../src/execute/inputs.js';
import { seededParams } from '../src/execute/params.js';
import { compileVta, timeLayers, totals } from '../src/targets/vta/compile.js';
import { hasActivation } from '../src/targets/vta/lower.js';
import { quantizeGraph } from '../src/targets/vta/qgraph.js';
import { loadVtaTarget } from '../src/targets/vta/spec.js';
import { TUNE_STRATEGIES, TuningLog, tuneLayer } from '../src/targets/vta/tune.js';
import { loadGraph } from '../src/workload/load.js';

const TRIALS = Number(process.env.TRIALS ?? 16);
const SEED = Number(process.env.SEED ?? 1);
const SETTINGS: [string, string[]][] = [
  ['default vta', []],
  ['fully pipelined ALU (alu.initiationInterval=1)', ['alu.initiationInterval=1']],
  ['(1,32)x(32,32) GEMM (blockIn=32, blockOut=32)', ['blockIn=32', 'blockOut=32']],
  ['32 ALU lanes (alu.lanes=32)', ['alu.lanes=32']],
  ['32 ALU lanes, fully pipelined', ['alu.lanes=32', 'alu.initiationInterval=1']],
  ['buffer split: input 16KiB, weight 128KiB, acc 64KiB', ['buffers.input=16KiB', 'buffers.weight=128KiB', 'buffers.acc=64KiB']],
  ['clock 250MHz, GEMM pipeline depth 8', ['clock=250MHz', 'gemm.pipelineDepth=8']],
];

const graph = loadGraph('resnet18');
const q = quantizeGraph(graph, seededParams(graph, 1), { calibration: [seededInputs(graph, 2), seededInputs(graph, 3)], method: 'max' });
console.log(`resnet18: ${q.layers.filter((l) => l.kind !== 'host').length} layers on VTA, ${q.layers.filter((l) => l.kind === 'host').length} on the host; ${TRIALS} schedules per layer, seed ${SEED}`);
for (const [label, set] of SETTINGS) {
  const t = loadVtaTarget('vta', set);
  const compiled = compileVta(t, q);
  const before = timeLayers(compiled);
  const apartLog = new TuningLog(compiled.layers.filter((cl) => cl.layer.kind === 'gemm' && hasActivation(cl.layer.bounds)).map((cl) => ({ key: cl.key, layer: cl.layer.name, schedule: { epilogue: 'separate' }, cycles: 0 })));
  const apart = totals(t, timeLayers(compileVta(t, q, apartLog)));
  const tuned = new Map<string, { cycles: number; layers: ReturnType<typeof timeLayers>; records: number; seconds: number; simulated: number }>();
  for (const strategy of TUNE_STRATEGIES) {
    const log = new TuningLog();
    const t0 = performance.now();
    let simulated = 0;
    for (const cl of compiled.layers) simulated += (await tuneLayer(t, cl.layer, cl.elements, log, TRIALS, SEED, strategy)).reduce((s, r) => s + r.cycles, 0);
    const seconds = (performance.now() - t0) / 1000;
    const layers = timeLayers(compileVta(t, q, log));
    tuned.set(strategy, { cycles: totals(t, layers).cycles, layers, records: log.records().length, seconds, simulated });
  }
  const best = tuned.get('nsga2')!;
  const after = best.layers;
  const [b, a] = [totals(t, before), totals(t, after)];
  const random = tuned.get('random')!;
  console.log(`\n${label}`);
  console.log(`  default schedules: ${b.cycles} cycles, ${b.gops.toFixed(1)} GOPS of ${b.peakGops.toFixed(1)} peak (${((100 * b.gops) / b.peakGops).toFixed(1)}%)`);
  console.log(`  default tilings, every activation in a separate ALU pass: ${apart.cycles} cycles (${(apart.cycles / b.cycles).toFixed(3)}× the fused epilogue's)`);
  console.log(`  tuned (nsga2):     ${a.cycles} cycles, ${a.gops.toFixed(1)} GOPS (${((100 * a.gops) / a.peakGops).toFixed(1)}%)`);
  console.log(`  tuned (random):    ${random.cycles} cycles`);
  console.log(`  default / tuned (nsga2): ${(b.cycles / a.cycles).toFixed(2)}×; random / nsga2 at equal budget: ${(random.cycles / a.cycles).toFixed(3)}×`);
  for (const [strategy, r] of tuned) console.log(`  tuner (${strategy}): ${r.records} schedules simulated in ${r.seconds.toFixed(1)} s, ${(r.simulated / r.seconds / 1e6).toFixed(1)} M simulated cycles/s (timing half, lowering included)`);
  const worst = after.map((l, i) => ({ name: l.name, kind: l.kind, util: l.utilization.compute, ratio: before[i]!.cycles / l.cycles })).sort((x, y) => x.util - y.util).slice(0, 3);
  console.log(`  lowest compute utilization after tuning: ${worst.map((w) => `${w.name} (${w.kind}) ${(100 * w.util).toFixed(0)}%`).join(', ')}`);
}
