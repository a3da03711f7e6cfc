import { Option, type Command } from 'commander';
import { checkExecutable } from '../../execute/execute.js';
import { bindInputs, seededInputs } from '../../execute/inputs.js';
import { onnxParams, seededParams } from '../../execute/params.js';
import { readTensorFile } from '../../execute/tensor-files.js';
import type { CalibrationMethod } from '../../quantize/calibrate.js';
import { PRECISIONS, type Precision } from '../../quantize/formats.js';
import { measureQuantization } from '../../quantize/measure.js';
import { makePlan, readPlanFile } from '../../quantize/plan.js';
import { stderrProgress } from '../../util/progress.js';
import { isModelFile, loadGraph } from '../../workload/load.js';
import { nonNegativeInt, oneOf, positiveInt } from '../flags.js';
import { toJson, type Io } from '../io.js';
import { AccelmapError } from '../../util/errors.js';
import { checkWritable, writeTextFile } from '../../util/files.js';
import { accuracyDemo, DEFAULT_QUANT_DEMO } from '../../quantize/demo/accuracy.js';
import { renderAccuracyChart, renderAccuracyTable, renderQuantizeReport } from '../../report/quantize-report.js';
import { addModelOptions, loadOptions, type ModelFlags } from '../model-options.js';

/**
 * `accelmap quantize`: the model run in fp32 and at a reduced precision
 * (weights and activations fake-quantized at each compute layer's inputs);
 * per-layer SQNR, weight bytes, and output agreement with fp32.
 */
interface QuantizeFlags extends ModelFlags {
  demo?: boolean;
  out?: string;
  steps: number;
  qatSteps: number;
  trainImages: number;
  testImages: number;
  precision: Precision;
  plan?: string;
  calibrate?: number;
  calibration: CalibrationMethod;
  inputs?: string;
  seed: number;
  json?: boolean;
}

export function registerQuantize(program: Command, io: Io): void {
  const cmd = program
    .command('quantize')
    .description('measure the numerical error of running a model at reduced precision: per-layer SQNR, weight bytes, output agreement with fp32')
    .argument('[model]', 'zoo model name (weights drawn from --seed) or .onnx file (its own weights)')
    .addOption(new Option('--precision <p>', `precision of the compute layers (${PRECISIONS.join(', ')})`).argParser(oneOf('--precision', PRECISIONS)).default('int8'))
    .option('--plan <file>', 'per-layer precisions (YAML: precision, first-last, layers: {name: precision})')
    .option('--calibrate <n>', 'calibrate activation clips on N generated input sets first (default: each activation\'s own range)', positiveInt('--calibrate'))
    .addOption(new Option('--calibration <method>', 'how activation clips are chosen (max, percentile = 99.99th of |x|, mse)').argParser(oneOf('--calibration', ['max', 'percentile', 'mse'] as const)).default('mse'))
    .option('--inputs <file>', 'input values: .npz (arrays named after the inputs), .npy or .pb (a model with one input)')
    .option('--seed <n>', 'seed for generated inputs (and a zoo model\'s weights)', nonNegativeInt('--seed'), 1)
    .option('--json', 'print JSON')
    .option('--demo', 'instead of a model: train a LeNet-5-class CNN on MNIST (the mnist package) and report test accuracy at fp32, post-training quantized and quantization-aware trained')
    .option('--out <file>', '--demo: write a self-contained HTML chart of the accuracy table')
    .option('--steps <n>', '--demo: fp32 training steps', positiveInt('--steps'), DEFAULT_QUANT_DEMO.steps)
    .option('--qat-steps <n>', '--demo: fine-tuning steps (fp32 and each QAT run)', positiveInt('--qat-steps'), DEFAULT_QUANT_DEMO.qatSteps)
    .option('--train-images <n>', '--demo: training images', positiveInt('--train-images'), DEFAULT_QUANT_DEMO.trainCount)
    .option('--test-images <n>', '--demo: test images', positiveInt('--test-images'), DEFAULT_QUANT_DEMO.testCount);
  addModelOptions(cmd, ['infer']).action((model: string | undefined, opts: QuantizeFlags) => {
    if (opts.demo) return runDemo(opts, io);
    if (!model) throw new AccelmapError('bad-flag', 'quantize needs a model (or --demo)', {}, 'e.g. accelmap quantize resnet18 --precision int4');
    const planFile = opts.plan ? readPlanFile(opts.plan) : undefined;
    const graph = loadGraph(model, loadOptions(opts));
    checkExecutable(graph);
    const plan = makePlan(graph, opts.precision, planFile, opts.plan);
    const params = isModelFile(model) ? onnxParams(model) : seededParams(graph, opts.seed);
    let feeds = seededInputs(graph, opts.seed);
    if (opts.inputs) {
      const bound = bindInputs(graph, readTensorFile(opts.inputs, graph.inputs, '--inputs'), opts.inputs);
      bound.notes.forEach((n) => io.err(`note: ${n}`));
      feeds = bound.feeds;
    }
    // calibration sets: seeds after the evaluated one, so that calibration and evaluation data differ
    const calibration = opts.calibrate ? Array.from({ length: opts.calibrate }, (_, k) => seededInputs(graph, opts.seed + 1 + k)) : undefined;
    const progress = stderrProgress(`quantize ${graph.name}`);
    const report = measureQuantization(graph, feeds, params, plan, { calibration, method: opts.calibration, progress: (stage, d, n) => progress.update(`${stage}: node ${d}/${n}`) });
    progress.done(`${report.layers.length} compute layers`);
    const full = { model: graph.name, precision: planFile?.precision ?? opts.precision, weights: isModelFile(model) ? 'model file' : `seed ${opts.seed}`, inputs: opts.inputs ?? `seed ${opts.seed}`, batch: graph.batch, ...report };
    io.out(opts.json ? toJson(full) : renderQuantizeReport(full));
  });
}

function runDemo(opts: QuantizeFlags, io: Io): void {
  if (opts.out) checkWritable(opts.out, 'HTML chart');
  const cfg = { ...DEFAULT_QUANT_DEMO, steps: opts.steps, qatSteps: opts.qatSteps, trainCount: opts.trainImages, testCount: opts.testImages, seed: opts.seed };
  const progress = stderrProgress('quantize --demo');
  const rows = accuracyDemo(cfg, progress);
  progress.done();
  const task = `LeNet-5-class CNN on MNIST (the mnist package's digits: ${cfg.trainCount} training, ${cfg.testCount} test images), SGD lr ${cfg.learningRate} momentum ${cfg.momentum}, batch ${cfg.batch}, ${cfg.steps} steps fp32, then ${cfg.qatSteps} fine-tuning steps at lr ${cfg.learningRate / 10} (fp32 and each qat run); first and last layers at 8 bits in quantized rows; seed ${cfg.seed}`;
  if (opts.out) writeTextFile(opts.out, renderAccuracyChart(task, rows), 'HTML chart');
  if (opts.json) return io.out(toJson({ task, config: cfg, rows }));
  io.out(renderAccuracyTable(task, rows));
  if (opts.out) io.out(`wrote ${opts.out}`);
}
