import { Option, type Command } from 'commander';
import type { CalibrationMethod } from '../../quantize/calibrate.js';
import { runIntegerModel, type IntegerRunSummary } from '../../quantize/integer/model.js';
import { makePlan, readPlanFile } from '../../quantize/plan.js';
import { AccelmapError } from '../../util/errors.js';
import { execute, checkExecutable } from '../../execute/execute.js';
import { bindInputs, seededInputs } from '../../execute/inputs.js';
import { onnxParams, seededParams } from '../../execute/params.js';
import { summarize } from '../../execute/summary.js';
import type { Value } from '../../execute/value.js';
import { readTensorFile, tensorFileFormat, writeTensorFile } from '../../execute/tensor-files.js';
import { stderrProgress } from '../../util/progress.js';
import { renderRun } from '../../report/run-report.js';
import { isModelFile, loadGraph } from '../../workload/load.js';
import { nonNegativeInt, oneOf, outputFile, positiveInt } from '../flags.js';
import { toJson, type Io } from '../io.js';
import { addModelOptions, loadOptions, type ModelFlags } from '../model-options.js';

/**
 * `accelmap run`: the reference executor on a model. Weights come from the
 * ONNX file; a zoo model's are drawn from the seed. Inputs come from a file
 * (--inputs .npz/.npy/.pb) or from the seed. At an integer precision the
 * model runs as an integer graph (quantize/integer) at the plan's bits per
 * compute layer, and the report adds its scales and its agreement with fp32.
 */
const RUN_PRECISIONS = ['fp32', 'int8', 'int4', 'int2'] as const;
/** --requantization: real scales with a fixed-point multiplier and shift, or power-of-two scales with a shift (as VTA). */
const REQUANTIZATIONS = ['fixed-point', 'shift'] as const;

interface RunFlags extends ModelFlags {
  inputs?: string;
  seed: number;
  outputs?: string;
  precision: (typeof RUN_PRECISIONS)[number];
  plan?: string;
  calibrate: number;
  calibration: CalibrationMethod;
  requantization: (typeof REQUANTIZATIONS)[number];
  json?: boolean;
}

export function registerRun(program: Command, io: Io): void {
  const cmd = program
    .command('run')
    .description('run a model numerically with the reference executor: fp32, or in integer arithmetic at int8/int4/int2 (per-layer plan) with its agreement with fp32')
    .argument('<model>', 'zoo model name (weights drawn from --seed) or .onnx file (its own weights)')
    .option('--inputs <file>', 'input values: .npz (arrays named after the inputs), .npy or .pb (a model with one input)')
    .option('--seed <n>', 'seed for generated inputs (and a zoo model\'s weights)', nonNegativeInt('--seed'), 1)
    .option('--outputs <file>', 'write every output: .npz by name, or .npy / .pb for a model with one output', outputFile('--outputs', 'outputs'))
    .addOption(new Option('--precision <p>', 'fp32, or int8/int4/int2: integer codes and scales at every compute layer (below 8 bits the first and last compute layers stay int8 unless a plan says otherwise)').argParser(oneOf('--precision', RUN_PRECISIONS)).default('fp32'))
    .option('--plan <file>', 'with an integer --precision: per-layer precisions (YAML: precision, first-last, layers: {name: int8|int4|int2}), as quantize --plan')
    .option('--calibrate <n>', 'with an integer --precision: input sets (seeds seed+1…) that calibrate the activation scales', positiveInt('--calibrate'), 2)
    .addOption(new Option('--calibration <method>', 'with an integer --precision: activation clip from max, percentile (99.99th of |x|) or mse').argParser(oneOf('--calibration', ['max', 'percentile', 'mse'] as const)).default('max'))
    .addOption(new Option('--requantization <scheme>', 'with an integer --precision: fixed-point (real scales, a 31-bit multiplier and a shift) or shift (power-of-two scales, as VTA)').argParser(oneOf('--requantization', REQUANTIZATIONS)).default('fixed-point'))
    .option('--json', 'print JSON');
  addModelOptions(cmd, ['infer']).action((model: string, opts: RunFlags) => {
    if (opts.outputs) tensorFileFormat(opts.outputs, '--outputs');
    if (opts.plan && opts.precision === 'fp32') throw new AccelmapError('bad-flag', '--plan needs an integer --precision', {}, 'add --precision int8, int4 or int2');
    if (opts.requantization !== 'fixed-point' && opts.precision === 'fp32') throw new AccelmapError('bad-flag', '--requantization needs an integer --precision', {}, 'add --precision int8, int4 or int2');
    const planFile = opts.plan ? readPlanFile(opts.plan) : undefined;
    const graph = loadGraph(model, loadOptions(opts));
    checkExecutable(graph);
    const fromFile = isModelFile(model);
    let feeds = seededInputs(graph, opts.seed);
    if (opts.inputs) {
      const bound = bindInputs(graph, readTensorFile(opts.inputs, graph.inputs, '--inputs'), opts.inputs);
      bound.notes.forEach((n) => io.err(`note: ${n}`));
      feeds = bound.feeds;
    }
    const progress = stderrProgress(`run ${graph.name}`);
    const started = performance.now();
    const params = fromFile ? onnxParams(model) : seededParams(graph, opts.seed);
    let outputs: Record<string, Value>;
    let integer: IntegerRunSummary | undefined;
    if (opts.precision === 'fp32') outputs = execute(graph, feeds, params, { progress: (k, n) => progress.update(`node ${k}/${n}`) });
    else {
      // calibration sets: seeds after the evaluated one, so that calibration and evaluation data differ
      const calibration = Array.from({ length: opts.calibrate }, (_, k) => seededInputs(graph, opts.seed + 1 + k));
      const plan = makePlan(graph, opts.precision, planFile, opts.plan);
      const { report } = runIntegerModel(graph, feeds, params, { plan, calibration, method: opts.calibration, scales: opts.requantization === 'shift' ? 'power-of-two' : 'real', progress: (stage, k, n) => progress.update(`${stage}: ${k}/${n}`) });
      const { outputs: out, ...rest } = report;
      outputs = out;
      integer = { calibration: `activation clips (${opts.calibration}) from ${opts.calibrate} input set(s) drawn from seeds ${opts.seed + 1}…${opts.seed + opts.calibrate}`, ...rest };
    }
    progress.done(`${graph.nodes.length} nodes in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    if (opts.outputs) writeTensorFile(opts.outputs, outputs, '--outputs');
    const report = {
      model: graph.name,
      weights: fromFile ? 'model file' : `seed ${opts.seed}`,
      precision: planFile?.precision ?? opts.precision,
      ...(opts.plan ? { plan: opts.plan } : {}),
      inputs: Object.fromEntries(Object.entries(feeds).map(([n, v]) => [n, { ...summarize(v), source: opts.inputs ?? `seed ${opts.seed}` }])),
      outputs: Object.fromEntries(Object.entries(outputs).map(([n, v]) => [n, summarize(v)])),
      ...(integer ? { integer } : {}),
    };
    if (opts.json) return io.out(toJson(report));
    io.out(renderRun(report, opts.inputs ?? `seed ${opts.seed}`));
    if (opts.outputs) io.out(`outputs written to ${opts.outputs}`);
  });
}
