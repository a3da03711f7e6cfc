import { Option, type Command } from 'commander';
import { compare } from '../../api/characterize.js';
import { loadDevice } from '../../device/load.js';
import { AccelmapError } from '../../util/errors.js';
import { stderrProgress } from '../../util/progress.js';
import { renderTable } from '../../report/table.js';
import { loadGraph } from '../../workload/load.js';
import { addDeviceOption } from '../device-options.js';
import { oneOf, positiveInt } from '../flags.js';
import { toJson, type Io } from '../io.js';
import { addTrainingOptions, type ModelFlags } from '../model-options.js';

export function registerCompare(program: Command, io: Io): void {
  const cmd = program
    .command('compare')
    .description('compare workloads by the cosine similarity of their op-type time profiles, and group similar ones')
    .argument('<models...>', 'two or more zoo model names or .onnx files')
    .option('--batch <n>', 'batch size (default: 1 for zoo models; a file keeps its own)', positiveInt('--batch'))
    .addOption(new Option('--by <what>', 'profile over op types or op classes').argParser(oneOf('--by', ['type', 'class'] as const)).default('type'))
    .option('--json', 'print JSON');
  addDeviceOption(addTrainingOptions(cmd)).action((models: string[], opts: Pick<ModelFlags, 'batch' | 'mode' | 'optimizer' | 'loss'> & { by: 'type' | 'class'; device: string; json?: boolean }) => {
    if (models.length < 2) throw new AccelmapError('bad-flag', 'compare needs at least two models');
    const device = loadDevice(opts.device);
    const progress = stderrProgress('compare', !opts.json);
    const graphs = models.map((m) => loadGraph(m, { batch: opts.batch, mode: opts.mode, optimizer: opts.optimizer, loss: opts.loss }));
    const c = compare(graphs, { device, by: opts.by, names: models, onProgress: (m) => progress.update(m) });
    progress.done();
    const { matrix } = c;
    if (opts.json) return io.out(toJson({ models, mode: opts.mode, batch: opts.batch ?? 1, device: c.device, metric: c.metric, matrix, order: c.order, merges: c.merges }));
    const order = c.order.map((name) => models.indexOf(name));
    const names = (ix: number[]) => ix.map((i) => models[i]!);
    io.out(`cosine similarity of op-${opts.by} profiles (fraction of modeled time per op ${opts.by}; ${device.name}, ${opts.mode === 'train' ? 'training' : 'inference'}, batch ${opts.batch ?? 1}), in grouped order\n`);
    io.out(renderTable(['', ...names(order)], order.map((i) => [models[i]!, ...order.map((j) => matrix[i]![j]!.toFixed(2))])));
    io.out('\ngrouping (average linkage, most similar first):');
    io.out(c.merges.map((m) => `  ${m.similarity.toFixed(2)}  ${m.left.join(' + ')}  ←→  ${m.right.join(' + ')}`).join('\n'));
  });
}
