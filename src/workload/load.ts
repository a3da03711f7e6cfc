import { AccelmapError } from '../util/errors.js';
import type { Graph } from './graph.js';
import { buildZooModel } from './zoo/index.js';

export interface LoadOptions {
  batch?: number;
  /** Sequence length for language and speech models. */
  seqLen?: number;
  imageSize?: number;
  /** Named dynamic dimensions of an imported model (e.g. { seq: 128 }). */
  dims?: Record<string, number>;
  mode?: 'infer' | 'train';
}

/** A zoo name or a model file, as a Graph in inference or training form. */
export function loadGraph(spec: string, o: LoadOptions = {}): Graph {
  if (/\.onnx$/i.test(spec)) {
    throw new AccelmapError('unsupported', `${spec}: ONNX import is not yet supported`, {}, 'use a zoo model (accelmap models)');
  }
  const g = buildZooModel(spec, { batch: o.batch ?? 1, seqLen: o.seqLen, imageSize: o.imageSize });
  if (o.mode === 'train') {
    throw new AccelmapError('unsupported', '--mode train is not yet supported', {}, 'use --mode infer');
  }
  return g;
}
