import type { DType } from '../dtype.js';
import type { Graph } from '../graph.js';

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
  /** Defaults for the options that matter to this model. */
  defaults: Partial<ZooOptions>;
  /** Published reference figures, when there are any (checked by tests). */
  published?: { params?: number; macs?: number; source: string };
  build(options: ZooOptions): Graph;
}
