import { Option, type Command } from 'commander';
import { dimFlag, oneOf, positiveInt } from './flags.js';
import type { LoadOptions } from '../workload/load.js';

/** The options every command that takes a model shares. */
export interface ModelFlags {
  batch?: number;
  seqLen?: number;
  imageSize?: number;
  dim?: Record<string, number>;
  mode: 'infer' | 'train';
}

export function addModelOptions(cmd: Command): Command {
  return cmd
    .option('--batch <n>', 'batch size', positiveInt('--batch'))
    .option('--seq-len <n>', 'sequence length (language and speech models)', positiveInt('--seq-len'))
    .option('--image-size <n>', 'square input image side (vision models)', positiveInt('--image-size'))
    .option('--dim <name=value>', 'bind a named dynamic dimension of an imported model (repeatable)', dimFlag)
    .addOption(new Option('--mode <mode>', 'inference graph, or training (forward + backward + update)').argParser(oneOf('--mode', ['infer', 'train'] as const)).default('infer'));
}

export function loadOptions(f: ModelFlags): LoadOptions {
  return { batch: f.batch, seqLen: f.seqLen, imageSize: f.imageSize, dims: f.dim, mode: f.mode };
}
