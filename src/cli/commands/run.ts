import type { Command } from 'commander';
import { execute, checkExecutable } from '../../execute/execute.js';
import { bindInputs, seededInputs } from '../../execute/inputs.js';
import { onnxParams, seededParams } from '../../execute/params.js';
import { summarize } from '../../execute/summary.js';
import { readTensorFile, tensorFileFormat, writeTensorFile } from '../../execute/tensor-files.js';
import { stderrProgress } from '../../util/progress.js';
import { renderRun } from '../../report/run-report.js';
import { isModelFile, loadGraph } from '../../workload/load.js';
import { nonNegativeInt, outputFile } from '../flags.js';
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
  json?: boolean;
}

export function registerRun(program: Command, io: Io): void {
  const cmd = program
    .command('run')
    .description('run a model numerically with the reference executor (fp32)')
    .argument('<model>', 'zoo model name (weights drawn from --seed) or .onnx file (its own weights)')
    .option('--inputs <file>', 'input values: .npz (arrays named after the inputs), .npy or .pb (a model with one input)')
    .option('--seed <n>', 'seed for generated inputs (and a zoo model\'s weights)', nonNegativeInt('--seed'), 1)
    .option('--outputs <file>', 'write every output: .npz by name, or .npy / .pb for a model with one output', outputFile('--outputs', 'outputs'))
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
    const outputs = execute(graph, feeds, fromFile ? onnxParams(model) : seededParams(graph, opts.seed), { progress: (k, n) => progress.update(`node ${k}/${n}`) });
    progress.done(`${graph.nodes.length} nodes in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    if (opts.outputs) writeTensorFile(opts.outputs, outputs, '--outputs');
    const report = {
      model: graph.name,
      weights: fromFile ? 'model file' : `seed ${opts.seed}`,
      inputs: Object.fromEntries(Object.entries(feeds).map(([n, v]) => [n, { ...summarize(v), source: opts.inputs ?? `seed ${opts.seed}` }])),
      outputs: Object.fromEntries(Object.entries(outputs).map(([n, v]) => [n, summarize(v)])),
    };
    if (opts.json) return io.out(toJson(report));
    io.out(renderRun(report, opts.inputs ?? `seed ${opts.seed}`));
    if (opts.outputs) io.out(`outputs written to ${opts.outputs}`);
  });
}
