import { Option, type Command } from 'commander';
import { AccelmapError } from '../../util/errors.js';
import { writeTextFile } from '../../util/files.js';
import { isModelFile, loadGraph } from '../../workload/load.js';
import { ALL_REDUCE_ALGORITHMS, type AllReduceAlgorithm } from '../../scaleout/collectives.js';
import { COMPRESSION_METHODS, type CompressionMethod } from '../../scaleout/compress/compressors.js';
import { EXCHANGE_MODES, type ExchangeSpec } from '../../scaleout/exchange.js';
import { renderScale, scaleHtml } from '../../report/scale-report.js';
import type { ParallelMode } from '../../scaleout/step.js';
import { TOPOLOGY_NAMES, type TopologyName } from '../../scaleout/system.js';
import { fraction, nonNegativeNumber, oneOf, outputFile, positiveInt, positiveNumber } from '../flags.js';
import { toJson, type Io } from '../io.js';
import { graphToCost } from '../../compile/index.js';
import { addFuseOption } from '../compile-options.js';
import { addModelOptions, loadOptions, type ModelFlags } from '../model-options.js';
import { addTimesOptions, layerSeconds, type TimesFlags } from '../layer-times.js';
import { planScale, SCALE_DEFAULTS } from '../../api/planning.js';
import { addDeviceOption } from '../device-options.js';
import { loadDevice } from '../../device/load.js';

interface ScaleFlags extends ModelFlags, TimesFlags {
  device: string;
  devices: number;
  topology: TopologyName;
  linkGbps: number;
  latencyUs: number;
  dims?: number[];
  nodeDevices: number;
  intraGbps: number;
  intraLatencyUs: number;
  parallel: ParallelMode;
  tp?: number;
  stages?: number;
  microbatches?: number;
  bucketMb: number;
  collective: AllReduceAlgorithm | 'auto';
  compress: CompressionMethod;
  exchange: ExchangeSpec['exchange'];
  compressRatio?: number;
  topkFraction: number;
  stromDensity: number;
  trainSamples?: number;
  json?: boolean;
  out?: string;
  fuse: boolean;
}

/** Per-device batch of a zoo model when --batch is not given (a file keeps its own). */
const DEFAULT_BATCH = 32;

function dimsFlag(value: string): number[] {
  const dims = value.split('x').map(Number);
  if (!/^\d+(x\d+){1,2}$/.test(value.trim()) || dims.some((d) => d < 1)) throw new AccelmapError('bad-flag', `--dims '${value}' is not like 8x8 or 4x4x4`);
  return dims;
}

export function registerScale(program: Command, io: Io): void {
  const cmd = program
    .command('scale')
    .description('training step time, exposed communication and scaling efficiency on many devices, with and without gradient compression')
    .argument('<model>', 'zoo model name (accelmap models) or .onnx file');
  addFuseOption(addTimesOptions(addDeviceOption(addModelOptions(cmd, ['train'], `${DEFAULT_BATCH} per device for zoo models; a file keeps its own`))))
    .requiredOption('--devices <n>', 'number of devices', positiveInt('--devices'))
    .addOption(new Option('--topology <t>', 'ring, torus2d, torus3d, switch or hier (nodes with a fast switch inside)').argParser(oneOf('--topology', TOPOLOGY_NAMES)).makeOptionMandatory())
    .requiredOption('--link-gbps <g>', 'link bandwidth per direction in Gb/s (between nodes for hier)', positiveNumber('--link-gbps'))
    .option('--latency-us <l>', 'link latency in µs', nonNegativeNumber('--latency-us'), SCALE_DEFAULTS.latencyUs)
    .option('--dims <AxB[xC]>', 'torus dimensions (default: balanced)', dimsFlag)
    .option('--node-devices <k>', 'hier: devices per node', positiveInt('--node-devices'), SCALE_DEFAULTS.nodeDevices)
    .option('--intra-gbps <g>', 'hier: link bandwidth inside a node in Gb/s', positiveNumber('--intra-gbps'), SCALE_DEFAULTS.intraGbps)
    .option('--intra-latency-us <l>', 'hier: latency inside a node in µs', nonNegativeNumber('--intra-latency-us'), SCALE_DEFAULTS.intraLatencyUs)
    .addOption(new Option('--parallel <p>', 'dp (data), tp (tensor × data) or pp (pipeline × data)').argParser(oneOf('--parallel', ['dp', 'tp', 'pp'] as const)).default(SCALE_DEFAULTS.parallel))
    .option('--tp <t>', 'tp: tensor-parallel group size (default: devices per node for hier, else 8)', positiveInt('--tp'))
    .option('--stages <p>', 'pp: pipeline stages (default 4)', positiveInt('--stages'))
    .option('--microbatches <m>', 'pp: micro-batches per step (default 4 × stages, at most the batch)', positiveInt('--microbatches'))
    .option('--bucket-mb <mb>', 'gradient bucket size in MB for overlapping the exchange with backward (0: per layer)', nonNegativeNumber('--bucket-mb'), SCALE_DEFAULTS.bucketMb)
    .addOption(new Option('--collective <a>', `all-reduce algorithm: auto (the fastest the topology runs), ${ALL_REDUCE_ALGORITHMS.join(', ')}`).argParser(oneOf('--collective', ['auto', ...ALL_REDUCE_ALGORITHMS] as const)).default(SCALE_DEFAULTS.collective))
    .addOption(new Option('--compress <m>', `gradient compression: ${COMPRESSION_METHODS.join(', ')}`).argParser(oneOf('--compress', COMPRESSION_METHODS)).default(SCALE_DEFAULTS.compress))
    .addOption(
      new Option('--exchange <e>', 'how compressed gradients travel: auto (the cheapest per bucket), allgather, sparcml (sparse all-reduce), gtopk, hier (dense in node, compressed across), recompress (optimistic)')
        .argParser(oneOf('--exchange', EXCHANGE_MODES))
        .default(SCALE_DEFAULTS.exchange),
    )
    .option('--compress-ratio <r>', 'assume this compression ratio for every layer instead of the method’s own', positiveNumber('--compress-ratio'))
    .option('--topk-fraction <f>', 'top-k: fraction of elements sent', fraction('--topk-fraction'), SCALE_DEFAULTS.topkFraction)
    .option('--strom-density <f>', 'strom: assumed fraction of elements reaching the threshold', fraction('--strom-density'), SCALE_DEFAULTS.stromDensity)
    .option('--train-samples <n>', 'samples to train on, for the time to train', positiveInt('--train-samples'))
    .option('--json', 'print JSON')
    .option('--out <file>', 'write a self-contained HTML report with charts', outputFile('--out', 'HTML report'))
    .action(async (model: string, f: ScaleFlags) => {
      const graph = graphToCost(loadGraph(model, { ...loadOptions(f), batch: f.batch ?? (isModelFile(model) ? undefined : DEFAULT_BATCH), mode: 'train' }), f.fuse);
      const device = loadDevice(f.device);
      const report = planScale(graph, { ...f, device, layerSeconds: await layerSeconds(graph, f, io) });
      const timeToTrainSeconds = f.trainSamples !== undefined ? f.trainSamples / report.result.samplesPerSecond : undefined;
      if (f.out) writeTextFile(f.out, scaleHtml(report), 'HTML report');
      if (f.json) {
        const { sweeps, result, ...head } = report;
        io.out(toJson({ ...head, ...result, timeToTrainSeconds, sweeps }));
        return;
      }
      io.out(renderScale(report, { linkGbps: f.linkGbps, latencyUs: f.latencyUs, timeToTrainSeconds }));
      if (f.out) io.out(`\nwrote ${f.out}`);
    });
}
