import { Option, type Command } from 'commander';
import { loadDevice } from '../../device/load.js';
import { largestBatch } from '../../memory/batch.js';
import type { ConvAlgorithm } from '../../memory/conv-algos.js';
import { POLICIES, type MemoryPlan, type PolicyName } from '../../memory/plan.js';
import { planMemory, type PlanMemoryOptions } from '../../api/planning.js';
import { memoryHtml, renderMemoryPlan } from '../../report/memory-report.js';
import { chromeTrace } from '../../report/memory-trace.js';
import { AccelmapError } from '../../util/errors.js';
import { writeTextFile } from '../../util/files.js';
import { stderrProgress } from '../../util/progress.js';
import { formatBytes } from '../../util/units.js';
import { loadGraph } from '../../workload/load.js';
import { bytesFlag, oneOf, outputFile, positiveInt } from '../flags.js';
import { graphToCost } from '../../compile/index.js';
import { addFuseOption } from '../compile-options.js';
import { addDeviceOption } from '../device-options.js';
import { toJson, type Io } from '../io.js';
import { addModelOptions, loadOptions, type ModelFlags } from '../model-options.js';
import { addTimesOptions, layerSeconds, type TimesFlags } from '../layer-times.js';

interface MemoryFlags extends ModelFlags, TimesFlags {
  fuse: boolean;
  device: string;
  capacity?: number;
  policy: PolicyName;
  algo: ConvAlgorithm;
  checkpointEvery?: number;
  inPlace: boolean;
  maxBatch?: boolean;
  json?: boolean;
  trace?: string;
  out?: string;
}

const GiB = 2 ** 30;

export function registerMemory(program: Command, io: Io): void {
  const cmd = program
    .command('memory')
    .description('plan training memory: liveness, offload/prefetch (vDNN), recomputation, convolution algorithms; peak, average, step time')
    .argument('<model>', 'zoo model name (accelmap models) or .onnx file');
  addFuseOption(addTimesOptions(addDeviceOption(addModelOptions(cmd, ['train']))))
    .option('--capacity <size>', 'device memory available (default: the device’s), e.g. 12GB', bytesFlag('--capacity'))
    .addOption(new Option('--policy <name>', 'none, conv, all (vDNN offload), dyn (vDNN_dyn), recompute, recompute+conv, recompute+all').argParser(oneOf('--policy', POLICIES)).default('dyn'))
    .addOption(new Option('--algo <class>', 'convolution algorithms for every policy but dyn: fast (with workspace) or lean (none)').argParser(oneOf('--algo', ['fast', 'lean'] as const)).default('fast'))
    .option('--checkpoint-every <k>', 'recompute: every k-th cut point is a checkpoint (default √ of the cut points)', positiveInt('--checkpoint-every'))
    .option('--no-in-place', 'give every element-wise result its own buffer (default: ReLU and the like overwrite an input that dies with them)')
    .option('--max-batch', 'also search the largest batch that fits the capacity under the policy')
    .option('--json', 'print JSON')
    .option('--trace <file>', 'write the schedule as a Chrome trace / Perfetto JSON file', outputFile('--trace', 'trace'))
    .option('--out <file>', 'write a self-contained HTML report with the memory-over-time chart', outputFile('--out', 'HTML report'))
    .action(async (model: string, f: MemoryFlags) => {
      if (f.maxBatch && (f.arch || f.layerTimes)) throw new AccelmapError('bad-flag', `--max-batch needs the roofline's times: ${f.arch ? '--arch' : '--layer-times'} times one batch only`);
      const device = loadDevice(f.device);
      const load = (batch?: number) => graphToCost(loadGraph(model, { ...loadOptions(f), batch, mode: 'train' }), f.fuse);
      const graph = load(f.batch);
      const options: PlanMemoryOptions = { device, capacityBytes: f.capacity, policy: f.policy, algorithm: f.algo, checkpointEvery: f.checkpointEvery, inPlace: f.inPlace, layerSeconds: await layerSeconds(graph, f, io) };
      const { plan, policies, leastCapacity } = planMemory(graph, options);
      if (leastCapacity) requireFeasible(plan, leastCapacity);
      const maxBatch = f.maxBatch ? largestBatch((b) => load(b), device, { capacityBytes: f.capacity, checkpointEvery: f.checkpointEvery, inPlace: f.inPlace, policy: f.policy, algorithm: f.algo }, stderrProgress('memory --max-batch')) : undefined;
      if (f.trace) writeTextFile(f.trace, toJson(chromeTrace(plan), { stamp: false }), 'trace');
      if (f.out) writeTextFile(f.out, memoryHtml(plan, policies, planMemory(graph, { ...options, policy: 'none' }).plan), 'HTML report');
      if (f.json) {
        const { steps, transfers, memory, ...summary } = plan;
        io.out(toJson({ ...summary, ...(maxBatch !== undefined ? { maxBatch } : {}), policies }));
      } else io.out(renderMemoryPlan(plan, policies, maxBatch));
      for (const file of [f.trace, f.out]) if (file) io.err(`wrote ${file}`);
    });
}

/** A capacity no policy can meet is a user error naming the least capacity that works. */
function requireFeasible(plan: MemoryPlan, least: { bytes: number; policy: PolicyName }): void {
  if (least.bytes <= plan.device.capacityBytes) return;
  const need = Math.ceil((least.bytes / GiB) * 100) / 100;
  throw new AccelmapError(
    'infeasible',
    `${plan.model} at batch ${plan.batch} needs at least ${need} GiB of device memory under every policy, and the capacity is ${formatBytes(plan.device.capacityBytes)}`,
    {},
    `use --capacity ${need}GiB or more (reached by ${least.policy} with memory-lean convolutions), or a smaller --batch`,
  );
}
