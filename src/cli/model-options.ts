import { Option, type Command } from 'commander';
import { AccelmapError } from '../util/errors.js';
import { dimFlag, oneOf, positiveInt } from './flags.js';
import type { LoadOptions } from '../workload/load.js';
import { OPTIMIZERS, type OptimizerName } from '../workload/ops/optimizer.js';
import { DEFAULT_OPTIMIZER, LOSS_KINDS, type LossKind } from '../workload/train/index.js';

/** The options every command that takes a model shares. */
export interface ModelFlags {
  batch?: number;
  seqLen?: number;
  imageSize?: number;
  dim?: Record<string, number>;
  mode: 'infer' | 'train';
  optimizer: OptimizerName;
  loss?: LossKind;
}

export function addModelOptions(cmd: Command): Command {
  return addTrainingOptions(
    cmd
      .option('--batch <n>', 'batch size', positiveInt('--batch'))
      .option('--seq-len <n>', 'sequence length (language and speech models)', positiveInt('--seq-len'))
      .option('--image-size <n>', 'square input image side (vision models)', positiveInt('--image-size'))
      .option('--dim <name=value>', 'bind a named dynamic dimension of an imported model (repeatable)', dimFlag),
  );
}

/** --mode, --optimizer and --loss. */
export function addTrainingOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--mode <mode>', 'inference graph, or training (forward + backward + update)').argParser(oneOf('--mode', ['infer', 'train'] as const)).default('infer'))
    .addOption(new Option('--optimizer <name>', `training: optimizer update (${Object.keys(OPTIMIZERS).join(', ')})`).argParser(oneOf('--optimizer', Object.keys(OPTIMIZERS) as OptimizerName[])).default(DEFAULT_OPTIMIZER))
    .addOption(new Option('--loss <kind>', `training: loss on the output (${LOSS_KINDS.join(', ')}; default: the model's)`).argParser(oneOf('--loss', LOSS_KINDS)));
}

/** For commands that always model a training step: an explicit --mode other than train is refused, saying why. */
export function requireTrainingMode(command: Command, mode: ModelFlags['mode'], why: string): void {
  if (command.getOptionValueSource('mode') === 'cli' && mode !== 'train') throw new AccelmapError('bad-flag', `--mode '${mode}' does not apply: ${why}`);
}

export function loadOptions(f: ModelFlags): LoadOptions {
  return { batch: f.batch, seqLen: f.seqLen, imageSize: f.imageSize, dims: f.dim, mode: f.mode, optimizer: f.optimizer, loss: f.loss };
}
