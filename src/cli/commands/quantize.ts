import { Option, type Command } from 'commander';
import { checkExecutable } from '../../execute/execute.js';
import { bindInputs, seededInputs } from '../../execute/inputs.js';
import { onnxParams, seededParams } from '../../execute/params.js';
import { readTensorFile } from '../../execute/tensor-files.js';
import type { CalibrationMethod } from '../../quantize/calibrate.js';
import { PRECISIONS, type Precision } from '../../quantize/formats.js';
import { measureQuantization } from '../../quantize/measure.js';
import { makePlan, readPlanFile } from '../../quantize/plan.js';
import { renderQuantizeReport } from '../../report/quantize-report.js';
import { stderrProgress } from '../../util/progress.js';
import { isModelFile, loadGraph } from '../../workload/load.js';
import { nonNegativeInt, oneOf, positiveInt } from '../flags.js';
import { toJson, type Io } from '../io.js';
import { addModelOptions, loadOptions, type ModelFlags } from '../model-options.js';

/**
 * `accelmap quantize`: the model run in fp32 and at a reduced precision
 * (weights and activations fake-quantized at each compute layer's inputs);
 * per-layer SQNR, weight bytes, and output agreement with fp32.
 */
interface QuantizeFlags extends ModelFlags {
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
    .argument('<model>', 'zoo model name (weights drawn from --seed) or .onnx file (its own weights)')
    .addOption(new Option('--precision <p>', `precision of the compute layers (${PRECISIONS.join(', ')})`).argParser(oneOf('--precision', PRECISIONS)).default('int8'))
    .option('--plan <file>', 'per-layer precisions (YAML: precision, first-last, layers: {name: precision})')
    .option('--calibrate <n>', 'calibrate activation clips on N generated input sets first (default: each activation\'s own range)', positiveInt('--calibrate'))
    .addOption(new Option('--calibration <method>', 'how activation clips are chosen (max, percentile = 99.99th of |x|, mse)').argParser(oneOf('--calibration', ['max', 'percentile', 'mse'] as const)).default('mse'))
    .option('--inputs <file>', 'input values: .npz (arrays named after the inputs), .npy or .pb (a model with one input)')
    .option('--seed <n>', 'seed for generated inputs (and a zoo model\'s weights)', nonNegativeInt('--seed'), 1)
    .option('--json', 'print JSON');
  addModelOptions(cmd, ['infer']).action((model: string, opts: QuantizeFlags) => {
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
