import { Option, type Command } from 'commander';
import { compare } from '../../api/characterize.js';
import { loadDevice } from '../../device/load.js';
import { AccelmapError } from '../../util/errors.js';
import { stderrProgress } from '../../util/progress.js';
import { renderCompare } from '../../report/compare-report.js';
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
    if (opts.json) return io.out(toJson({ models, mode: opts.mode, batch: opts.batch ?? 1, device: c.device, metric: c.metric, matrix: c.matrix, order: c.order, merges: c.merges }));
    io.out(renderCompare(c, { by: opts.by, mode: opts.mode, batch: opts.batch ?? 1 }));
  });
}
