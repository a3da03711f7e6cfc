import { Option, type Command } from 'commander';
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

/** `modes`: the graph forms the command can work on; a command that always models a training step passes ['train']. */
export function addModelOptions(cmd: Command, modes: readonly ModelFlags['mode'][] = ['infer', 'train'], batchDefault = '1 for zoo models; a file keeps its own'): Command {
  return addTrainingOptions(
    cmd
      .option('--batch <n>', `batch size (default: ${batchDefault})`, positiveInt('--batch'))
      .option('--seq-len <n>', 'sequence length (language and speech models)', positiveInt('--seq-len'))
      .option('--image-size <n>', 'square input image side (vision models)', positiveInt('--image-size'))
      .option('--dim <name=value>', 'bind a named dynamic dimension of an imported model (repeatable)', dimFlag),
    modes,
  );
}

/** --mode, --optimizer and --loss. */
export function addTrainingOptions(cmd: Command, modes: readonly ModelFlags['mode'][] = ['infer', 'train']): Command {
  const help = modes.length === 1 && modes[0] === 'train' ? 'always train here: forward + backward + update' : 'inference graph, or training (forward + backward + update)';
  return cmd
    .addOption(new Option('--mode <mode>', help).argParser(oneOf('--mode', modes)).default(modes[0]).hideHelp(modes.length === 1))
    .addOption(new Option('--optimizer <name>', `training: optimizer update (${Object.keys(OPTIMIZERS).join(', ')})`).argParser(oneOf('--optimizer', Object.keys(OPTIMIZERS) as OptimizerName[])).default(DEFAULT_OPTIMIZER))
    .addOption(new Option('--loss <kind>', `training: loss on the output (${LOSS_KINDS.join(', ')}; default: the model's)`).argParser(oneOf('--loss', LOSS_KINDS)));
}

export function loadOptions(f: ModelFlags): LoadOptions {
  return { batch: f.batch, seqLen: f.seqLen, imageSize: f.imageSize, dims: f.dim, mode: f.mode, optimizer: f.optimizer, loss: f.loss };
}
