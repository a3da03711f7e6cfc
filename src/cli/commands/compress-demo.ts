import type { Command } from 'commander';
import { AccelmapError } from '../../util/errors.js';
import { writeTextFile } from '../../util/files.js';
import { stderrProgress } from '../../util/progress.js';
import { renderTable } from '../../util/table.js';
import { formatPercent } from '../../util/units.js';
import { htmlPage } from '../../report/html.js';
import { COMPRESSION_METHODS, type CompressionMethod } from '../../scaleout/compress/compressors.js';
import { DEFAULT_DEMO, trainDemo, type DemoConfig, type DemoRun } from '../../scaleout/demo/train.js';
import { fraction, nonNegativeInt, outputFile, positiveInt, positiveNumber } from '../flags.js';
import { toJson, type Io } from '../io.js';

interface DemoFlags {
  workers: number;
  compress: CompressionMethod[];
  steps: number;
  seed: number;
  topkFraction: number;
  stromThreshold: number;
  json?: boolean;
  out?: string;
}

function methodList(value: string): CompressionMethod[] {
  const methods = value.split(',').map((m) => m.trim());
  for (const m of methods) {
    if (!(COMPRESSION_METHODS as readonly string[]).includes(m)) throw new AccelmapError('bad-flag', `--compress '${m}' is not one of ${COMPRESSION_METHODS.join(', ')}`);
  }
  return methods as CompressionMethod[];
}

const CLASS_LABEL: Record<string, string> = { convolution: 'conv', matmul: 'fc' };

function classStat(run: DemoRun, cls: string, pick: (s: DemoRun['byClass'][number]) => string): string {
  const s = run.byClass.find((c) => c.layerClass === cls);
  return s ? pick(s) : '';
}

export function registerCompressDemo(program: Command, io: Io): void {
  program
    .command('compress-demo')
    .description('train a small CNN with simulated data-parallel workers exchanging compressed gradients: loss, accuracy and compression per layer type')
    .option('--workers <w>', 'simulated workers', positiveInt('--workers'), DEFAULT_DEMO.workers)
    .option('--compress <methods>', `compression methods, comma-separated (${COMPRESSION_METHODS.join(', ')}); none always runs as the baseline`, methodList, COMPRESSION_METHODS.slice(1))
    .option('--steps <n>', 'training steps', positiveInt('--steps'), DEFAULT_DEMO.steps)
    .option('--seed <n>', 'random seed', nonNegativeInt('--seed'), DEFAULT_DEMO.seed)
    .option('--topk-fraction <f>', 'top-k: fraction of elements sent', fraction('--topk-fraction'), DEFAULT_DEMO.compression.topkFraction)
    .option('--strom-threshold <t>', 'strom: threshold τ', positiveNumber('--strom-threshold'), DEFAULT_DEMO.compression.stromThreshold)
    .option('--json', 'print JSON')
    .option('--out <file>', 'write a self-contained HTML report with the loss and accuracy curves', outputFile('--out', 'HTML report'))
    .action((f: DemoFlags) => {
      const cfg: DemoConfig = { ...DEFAULT_DEMO, workers: f.workers, steps: f.steps, seed: f.seed, compression: { ...DEFAULT_DEMO.compression, topkFraction: f.topkFraction, stromThreshold: f.stromThreshold } };
      const methods = ['none' as const, ...f.compress.filter((m) => m !== 'none')];
      const progress = stderrProgress('compress-demo');
      const runs = methods.map((m) => trainDemo(m, cfg, progress));
      progress.done();
      const task = `small CNN (two 3×3 convolutions, two fully connected layers) on ${cfg.classes} generated ${cfg.imageSize}×${cfg.imageSize} pattern classes; ${cfg.workers} workers × ${cfg.batchPerWorker} samples, ${cfg.steps} steps, SGD lr ${cfg.learningRate} momentum ${cfg.momentum}, seed ${cfg.seed}`;
      const summaryHeader = ['method', 'test accuracy', 'final loss', 'ratio', 'conv ratio', 'fc ratio', 'conv error', 'fc error', 'conv sent', 'fc sent'];
      const summary = runs.map((r) => [
        r.method,
        formatPercent(r.finalTestAccuracy),
        r.curve[r.curve.length - 1]!.trainLoss.toFixed(3),
        `${r.ratio.toFixed(1)}×`,
        classStat(r, 'convolution', (s) => `${s.ratio.toFixed(1)}×`),
        classStat(r, 'matmul', (s) => `${s.ratio.toFixed(1)}×`),
        classStat(r, 'convolution', (s) => s.relativeError.toFixed(2)),
        classStat(r, 'matmul', (s) => s.relativeError.toFixed(2)),
        classStat(r, 'convolution', (s) => formatPercent(s.density, 2)),
        classStat(r, 'matmul', (s) => formatPercent(s.density, 2)),
      ]);
      const steps = runs[0]!.curve.map((c) => c.step);
      const curveHeader = ['step', ...runs.map((r) => r.method)];
      const curveRows = steps.map((step, i) => [String(step), ...runs.map((r) => `${r.curve[i]!.trainLoss.toFixed(3)} / ${formatPercent(r.curve[i]!.testAccuracy, 0)}`)]);
      if (f.out) {
        const line = (pick: (c: DemoRun['curve'][number]) => number, title: string) => ({
          type: 'line',
          data: { labels: steps, datasets: runs.map((r) => ({ label: r.method, data: r.curve.map(pick) })) },
          options: { maintainAspectRatio: false, scales: { x: { title: { display: true, text: 'step' } }, y: { title: { display: true, text: title } } } },
        });
        writeTextFile(
          f.out,
          htmlPage('accelmap compress-demo', [
            { heading: 'Training loss', text: task, chart: line((c) => c.trainLoss, 'mean training loss') },
            { heading: 'Test accuracy', chart: line((c) => c.testAccuracy * 100, 'test accuracy %') },
            { heading: 'Compression per layer type', text: 'ratio = 32-bit gradient bits over bits sent (indices, values, scales and headers); error = ‖decoded − gradient‖ / ‖gradient‖ per step; sent = fraction of elements carried.', table: { header: summaryHeader, rows: summary } },
          ]),
          'HTML report',
        );
      }
      if (f.json) {
        io.out(toJson({ task, config: cfg, runs: runs.map((r) => ({ ...r, byClass: r.byClass.map((c) => ({ ...c, layerType: CLASS_LABEL[c.layerClass] ?? c.layerClass })) })) }));
        return;
      }
      io.out(task);
      io.out('');
      io.out(renderTable(summaryHeader, summary));
      io.out('');
      io.out('training loss / test accuracy');
      io.out(renderTable(curveHeader, curveRows));
      if (f.out) io.out(`\nwrote ${f.out}`);
    });
}
