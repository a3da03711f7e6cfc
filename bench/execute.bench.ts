/**
 * The reference executor against onnxruntime-web (WebAssembly, one thread)
 * on real models, in the same process on the same inputs: wall time of each
 * (median of the timed runs after one warm-up), the ratio, and the largest
 * absolute and relative differences of the outputs. The light_* models keep
 * ONNX's weight placeholders (constant fills): their timing is real, their
 * outputs are nearly uniform. Timings on a shared machine are noisy; the
 * ratios are what to read. CPU time (user + system of this process) is
 * printed beside wall time: onnxruntime-web runs on this thread too (one
 * WebAssembly thread), and CPU time does not count waiting for a core.
 */
import { existsSync } from 'node:fs';
import { execute } from '../src/execute/execute.js';
import { seededInputs } from '../src/execute/inputs.js';
import { onnxParams } from '../src/execute/params.js';
import { sharedDir } from '../src/util/shared.js';
import { importOnnx } from '../src/workload/onnx/import.js';
import { agreement, ortFeeds, ortSession } from '../test/execute/ort.js';

const MODELS = [
  sharedDir('models', 'squeezenet1_1.onnx'),
  sharedDir('models', 'mobilenet_v2.onnx'),
  sharedDir('models', 'gpt_mini.onnx'),
  sharedDir('onnx-tests', 'light', 'light_resnet50.onnx'),
  sharedDir('onnx-tests', 'light', 'light_densenet121.onnx'),
];
const RUNS = Number(process.env.RUNS ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

for (const file of MODELS) {
  if (!existsSync(file)) {
    console.log(`skipping ${file}: absent`);
    continue;
  }
  const graph = importOnnx(file);
  const feeds = seededInputs(graph, 1);
  const params = onnxParams(file);
  const session = await ortSession(file);
  const theirFeeds = ortFeeds(feeds);
  let ours = execute(graph, feeds, params);
  let theirs = await session.run(theirFeeds);
  const tOurs: number[] = [], tTheirs: number[] = [], cOurs: number[] = [], cTheirs: number[] = [];
  const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    let c = process.cpuUsage();
    ours = execute(graph, feeds, params);
    tOurs.push(performance.now() - t);
    cOurs.push(cpuMs(process.cpuUsage(c)));
    t = performance.now();
    c = process.cpuUsage();
    theirs = await session.run(theirFeeds);
    tTheirs.push(performance.now() - t);
    cTheirs.push(cpuMs(process.cpuUsage(c)));
  }
  const errs = graph.outputs.map((o) => agreement(ours[o]!.data, theirs[o]!.data as Float32Array));
  const maxAbs = Math.max(...errs.map((e) => e.maxAbs)), maxRel = Math.max(...errs.map((e) => e.maxRel));
  const name = file.split('/').pop()!.replace('.onnx', '');
  const ms = (x: number) => x.toFixed(0).padStart(6);
  console.log(
    `${name.padEnd(20)} wall: executor ${ms(median(tOurs))} ms, onnxruntime-web ${ms(median(tTheirs))} ms, ratio ${(median(tOurs) / median(tTheirs)).toFixed(2)}×` +
      `  cpu: ${ms(median(cOurs))} ms vs ${ms(median(cTheirs))} ms, ratio ${(median(cOurs) / median(cTheirs)).toFixed(2)}×  max abs err ${maxAbs.toExponential(2)}  max rel err ${maxRel.toExponential(2)}`,
  );
}
