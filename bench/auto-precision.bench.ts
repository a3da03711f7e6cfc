/**
 * `map --precision auto`'s measurement on resnet18 (seeded weights, batch 1),
 * RaPiD's modes (baseline hfp8, candidates int4 and int2), in one process:
 * - one fp32 run of the executor (the unit);
 * - each layer's own drop (measureSensitivity: an fp32 run, a baseline run,
 *   each compute layer's kernel once more per candidate);
 * - the uniform runs it replaced (measureQuantization with every layer at
 *   hfp8, int4, int2 in turn: an fp32 and a quantized run each), which
 *   measured a different drop (error of every earlier layer included).
 * Wall and CPU time (user + system of this process); on a shared machine
 * read the ratios.
 */
import { execute } from '../src/execute/execute.js';
import { seededInputs } from '../src/execute/inputs.js';
import { seededParams } from '../src/execute/params.js';
import { measureSensitivity } from '../src/api/precision.js';
import type { Precision } from '../src/quantize/formats.js';
import { measureQuantization } from '../src/quantize/measure.js';
import { makePlan } from '../src/quantize/plan.js';
import { loadGraph } from '../src/workload/load.js';

const graph = loadGraph('resnet18');
const params = seededParams(graph, 1);
const feeds = seededInputs(graph, 1);

async function timed(fn: () => unknown): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

const unit = await timed(() => execute(graph, feeds, params));
const own = await timed(() => measureSensitivity(graph, { baseline: 'hfp8', candidates: ['int4', 'int2'] }));
const uniform = await timed(() => {
  for (const p of ['hfp8', 'int4', 'int2'] as Precision[]) measureQuantization(graph, feeds, params, makePlan(graph, p, { firstLast: 'same', layers: {} }), { method: 'mse' });
});
console.log('measurement                                   wall s   cpu s   × fp32 run (cpu)');
for (const [name, t] of [['one fp32 run', unit], ['each layer alone (measureSensitivity)', own], ['uniform runs at hfp8, int4, int2 (before)', uniform]] as const) {
  console.log(`${name.padEnd(44)} ${t.wall.toFixed(2).padStart(7)} ${t.cpu.toFixed(2).padStart(7)} ${(t.cpu / unit.cpu).toFixed(1).padStart(8)}`);
}
console.log(`each layer alone ÷ uniform runs (cpu): ${(own.cpu / uniform.cpu).toFixed(2)}`);
