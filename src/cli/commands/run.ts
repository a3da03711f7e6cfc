import { Option, type Command } from 'commander';
import { quantizeForVta } from '../../api/vta.js';
import type { CalibrationMethod } from '../../quantize/calibrate.js';
import { runReference } from '../../targets/vta/compile.js';
import { execute, checkExecutable } from '../../execute/execute.js';
import { bindInputs, seededInputs } from '../../execute/inputs.js';
import { onnxParams, seededParams } from '../../execute/params.js';
import { summarize } from '../../execute/summary.js';
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
 * (--inputs .npz/.npy/.pb) or from the seed.
 */
interface RunFlags extends ModelFlags {
  inputs?: string;
  seed: number;
  outputs?: string;
  precision: 'fp32' | 'int8';
  calibrate: number;
  calibration: CalibrationMethod;
  json?: boolean;
}

export function registerRun(program: Command, io: Io): void {
  const cmd = program
    .command('run')
    .description('run a model numerically with the reference executor (fp32, or the int8 graph VTA runs)')
    .argument('<model>', 'zoo model name (weights drawn from --seed) or .onnx file (its own weights)')
    .option('--inputs <file>', 'input values: .npz (arrays named after the inputs), .npy or .pb (a model with one input)')
    .option('--seed <n>', 'seed for generated inputs (and a zoo model\'s weights)', nonNegativeInt('--seed'), 1)
    .option('--outputs <file>', 'write every output: .npz by name, or .npy / .pb for a model with one output', outputFile('--outputs', 'outputs'))
    .addOption(new Option('--precision <p>', 'fp32, or int8: the integer graph `compile --target vta` runs (power-of-two scales calibrated as there), by the integer reference').argParser(oneOf('--precision', ['fp32', 'int8'] as const)).default('fp32'))
    .option('--calibrate <n>', 'with --precision int8: input sets (seeds seed+1…) that calibrate the activation scales', positiveInt('--calibrate'), 2)
    .addOption(new Option('--calibration <method>', 'with --precision int8: activation clip from max, percentile or mse').argParser(oneOf('--calibration', ['max', 'percentile', 'mse'] as const)).default('max'))
    .option('--json', 'print JSON');
  addModelOptions(cmd, ['infer']).action((model: string, opts: RunFlags) => {
    if (opts.outputs) tensorFileFormat(opts.outputs, '--outputs');
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
    const outputs =
      opts.precision === 'int8'
        ? runReference(quantizeForVta(graph, { weightsFrom: fromFile ? model : undefined, calibrate: opts.calibrate, calibration: opts.calibration, seed: opts.seed, onProgress: (m) => progress.update(m) }), feeds, (k, n) => progress.update(`int8 layer ${k}/${n}`)).outputs
        : execute(graph, feeds, params, { progress: (k, n) => progress.update(`node ${k}/${n}`) });
    progress.done(`${graph.nodes.length} nodes in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    if (opts.outputs) writeTensorFile(opts.outputs, outputs, '--outputs');
    const report = {
      model: graph.name,
      weights: fromFile ? 'model file' : `seed ${opts.seed}`,
      precision: opts.precision,
      inputs: Object.fromEntries(Object.entries(feeds).map(([n, v]) => [n, { ...summarize(v), source: opts.inputs ?? `seed ${opts.seed}` }])),
      outputs: Object.fromEntries(Object.entries(outputs).map(([n, v]) => [n, summarize(v)])),
    };
    if (opts.json) return io.out(toJson(report));
    io.out(renderRun(report, opts.inputs ?? `seed ${opts.seed}`));
    if (opts.outputs) io.out(`outputs written to ${opts.outputs}`);
  });
}
