import { AccelmapError } from '../util/errors.js';
import type { Graph } from './graph.js';
import { importOnnx } from './onnx/import.js';
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
  const g = /\.onnx$/i.test(spec) ? loadOnnx(spec, o) : buildZooModel(spec, { batch: o.batch ?? 1, seqLen: o.seqLen, imageSize: o.imageSize });
  if (o.mode === 'train') {
    throw new AccelmapError('unsupported', '--mode train is not yet supported', {}, 'use --mode infer');
  }
  return g;
}

/** An ONNX file: its inputs' dynamic dimensions are bound by --batch and --dim; zoo-only flags are refused. */
function loadOnnx(file: string, o: LoadOptions): Graph {
  if (o.seqLen !== undefined || o.imageSize !== undefined) {
    throw new AccelmapError('bad-flag', `${o.seqLen !== undefined ? '--seq-len' : '--image-size'} applies to zoo models`, { file }, 'bind an ONNX model\'s named dimensions with --dim name=value');
  }
  return importOnnx(file, { batch: o.batch, dims: o.dims });
}
