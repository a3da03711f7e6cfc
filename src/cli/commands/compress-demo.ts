import type { Command } from 'commander';
import { AccelmapError } from '../../util/errors.js';
import { writeTextFile } from '../../util/files.js';
import { stderrProgress } from '../../util/progress.js';
import { compressDemoHtml, demoTask, renderCompressDemo } from '../../report/compress-demo-report.js';
import { COMPRESSION_METHODS, type CompressionMethod } from '../../scaleout/compress/compressors.js';
import { DEFAULT_DEMO, trainDemo, type DemoConfig } from '../../scaleout/demo/train.js';
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
      const task = demoTask(cfg);
      if (f.out) writeTextFile(f.out, compressDemoHtml(task, runs), 'HTML report');
      if (f.json) {
        io.out(toJson({ task, config: cfg, runs: runs.map((r) => ({ ...r, byClass: r.byClass.map((c) => ({ ...c, layerType: CLASS_LABEL[c.layerClass] ?? c.layerClass })) })) }));
        return;
      }
      io.out(renderCompressDemo(task, runs));
      if (f.out) io.out(`\nwrote ${f.out}`);
    });
}
