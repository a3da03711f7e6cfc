import { AccelmapError } from '../util/errors.js';
import type { Graph } from './graph.js';
import { importOnnx } from './onnx/import.js';
import { buildZooModel } from './zoo/index.js';
import type { OptimizerName } from './ops/optimizer.js';
import { toTraining, type LossKind } from './train/index.js';
import { ZOO } from './zoo/index.js';

export interface LoadOptions {
  batch?: number;
  /** Sequence length for language and speech models. */
  seqLen?: number;
  imageSize?: number;
  /** Named dynamic dimensions of an imported model (e.g. { seq: 128 }). */
  dims?: Record<string, number>;
  mode?: 'infer' | 'train';
  /** Training form: the optimizer (default SGD with momentum). */
  optimizer?: OptimizerName;
  /** Training form: the loss (default: the zoo model's, or guessed from an imported model's output). */
  loss?: LossKind;
}

/** The training form with the zoo model's loss, or, for a file, the loss `--loss` names or its output suggests. */
function trainingForm(spec: string, g: Graph, o: LoadOptions): Graph {
  const entry = ZOO.find((z) => z.name === spec.toLowerCase());
  return toTraining(g, { optimizer: o.optimizer, loss: o.loss ?? entry?.loss, lossOutput: o.loss ? 0 : entry?.lossOutput });
}

/** Whether a model spec names an ONNX file rather than a zoo model. */
export function isModelFile(spec: string): boolean {
  return /\.onnx$/i.test(spec);
}

/** A zoo name or a model file, as a Graph in inference or training form. */
export function loadGraph(spec: string, o: LoadOptions = {}): Graph {
  const g = isModelFile(spec) ? loadOnnx(spec, o) : loadZoo(spec, o);
  if (o.mode === 'train') {
    return trainingForm(spec, g, o);
  }
  return g;
}

/** A zoo model: --dim, which binds an imported model's named dimensions, is refused. */
function loadZoo(name: string, o: LoadOptions): Graph {
  const dims = Object.keys(o.dims ?? {});
  if (dims.length) throw new AccelmapError('bad-flag', `--dim ${dims[0]}=… binds a dimension of an ONNX model; ${name} is a zoo model`, {}, 'zoo models take --batch, --seq-len and --image-size');
  return buildZooModel(name, { batch: o.batch ?? 1, seqLen: o.seqLen, imageSize: o.imageSize });
}

/** An ONNX file: its inputs' dynamic dimensions are bound by --batch and --dim; zoo-only flags are refused. */
function loadOnnx(file: string, o: LoadOptions): Graph {
  if (o.seqLen !== undefined || o.imageSize !== undefined) {
    throw new AccelmapError('bad-flag', `${o.seqLen !== undefined ? '--seq-len' : '--image-size'} applies to zoo models`, { file }, 'bind an ONNX model\'s named dimensions with --dim name=value');
  }
  return importOnnx(file, { batch: o.batch, dims: o.dims });
}
