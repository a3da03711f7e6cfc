import type { DType } from '../dtype.js';
import type { Graph } from '../graph.js';
import type { LossKind } from '../train/index.js';

export interface ZooOptions {
  batch: number;
  /** Sequence length for language and speech models. */
  seqLen?: number;
  /** Square image side for vision models. */
  imageSize?: number;
  dtype?: DType;
}

export interface ZooEntry {
  name: string;
  /** `fathom` for the Fathom reference set, `modern` for the others. */
  family: 'fathom' | 'modern';
  description: string;
  /** Defaults for the options that matter to this model (and so which of --seq-len, --image-size apply). */
  defaults: Partial<ZooOptions>;
  /** Published reference figures, when there are any (checked by tests): parameters and MACs at batch 1 and the defaults. */
  published?: { params?: number; macs?: number; source: string };
  /** The loss the training form puts on the output (`lossOutput`, default 0). */
  loss: LossKind;
  lossOutput?: number;
  build(options: ZooOptions): Graph;
}
