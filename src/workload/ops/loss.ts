import { numel, type Attrs, type TensorType } from '../graph.js';
import { defineOp, enumAttr, intAttr, req, shapeError } from '../op.js';
import { isInteger } from '../dtype.js';

/**
 * Losses (training) and their gradients.
 *
 * SoftmaxCrossEntropyLoss (ONNX semantics): scores [N, C] or [N, C, d…] and
 * integer labels [N] or [N, d…] → the loss (a scalar with reduction mean or
 * sum, per sample with none) and the log-probabilities (scores' shape, kept
 * for the backward pass). FLOPs: 5 per score (log-softmax) + 1 per label
 * (pick and reduce).
 * NegativeLogLikelihoodLoss (ONNX semantics): log-probabilities [N, C] or
 * [N, C, d…], integer targets [N] or [N, d…] and optional class weights [C] →
 * the loss (a scalar with reduction mean or sum, per sample with none).
 * FLOPs: 1 per target (pick and reduce), 2 with class weights.
 * MSELoss: prediction and target of one shape → the mean of squared
 * differences, 3 FLOPs per element.
 *
 * The gradient ops take the loss gradient dLoss (a scalar seed) first:
 * SoftmaxCrossEntropyLossGrad (dLoss, log_prob, labels) → dScores,
 * 3 FLOPs per score (exp, subtract the one-hot, scale);
 * MSELossGrad (dLoss, prediction, target) → dPrediction, 3 per element.
 */
const REDUCTIONS = ['mean', 'sum', 'none'] as const;

export type ClassLossAttrs = { reduction: (typeof REDUCTIONS)[number]; ignore_index?: number };

/** A classification loss's attributes: the reduction, and `ignore_index`, a label that contributes nothing (absent: none). */
function classLossAttrs(raw: Attrs): ClassLossAttrs {
  const a: ClassLossAttrs = { reduction: enumAttr(raw, 'reduction', REDUCTIONS, 'mean') };
  if (raw.ignore_index !== undefined && raw.ignore_index !== null) a.ignore_index = intAttr(raw, 'ignore_index');
  return a;
}

function checkLabels(scores: TensorType, labels: TensorType, op: string): void {
  if (!isInteger(labels.dtype)) throw shapeError(`${op} labels must be integers, got ${labels.dtype}`);
  const expected = [scores.shape[0]!, ...scores.shape.slice(2)];
  if (labels.shape.join() !== expected.join()) throw shapeError(`${op} labels must be [${expected}] for scores [${scores.shape}], got [${labels.shape}]`);
}

const lossShape = (reduction: string, perSample: number[]) => (reduction === 'none' ? perSample : []);

/** A classification loss's operands: scores [N, C, d…], integer labels [N, d…], optional class weights [C]; returns the loss's type. */
function classLoss(inputs: (TensorType | undefined)[], reduction: string, op: string): TensorType {
  const scores = req(inputs, 0, 'scores'), labels = req(inputs, 1, 'labels'), weights = inputs[2];
  if (scores.shape.length < 2) throw shapeError(`${op} scores must have rank ≥ 2, got [${scores.shape}]`);
  checkLabels(scores, labels, op);
  if (weights && weights.shape.join() !== String(scores.shape[1])) throw shapeError(`${op} class weights must be [${scores.shape[1]}] for scores [${scores.shape}], got [${weights.shape}]`);
  return { shape: lossShape(reduction, [...labels.shape]), dtype: scores.dtype };
}

export const SoftmaxCrossEntropyLoss = defineOp({
  op: 'SoftmaxCrossEntropyLoss',
  opClass: 'loss',
  flopConvention: '5 FLOPs per score (log-softmax) + 1 per label',
  attrs: classLossAttrs,
  infer(inputs, a) {
    const scores = req(inputs, 0, 'scores');
    return [classLoss(inputs, a.reduction, 'SoftmaxCrossEntropyLoss'), { shape: [...scores.shape], dtype: scores.dtype }];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: 5 * numel(req(inputs, 0, 'scores').shape) + numel(req(inputs, 1, 'labels').shape) }),
});

export const SoftmaxCrossEntropyLossGrad = defineOp({
  op: 'SoftmaxCrossEntropyLossGrad',
  opClass: 'loss',
  flopConvention: '3 FLOPs per score',
  attrs: classLossAttrs,
  infer(inputs) {
    req(inputs, 0, 'dLoss');
    const logProb = req(inputs, 1, 'log_prob');
    checkLabels(logProb, req(inputs, 2, 'labels'), 'SoftmaxCrossEntropyLossGrad');
    return [{ shape: [...logProb.shape], dtype: logProb.dtype }];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: 3 * numel(req(inputs, 1, 'log_prob').shape) }),
});

export const NegativeLogLikelihoodLoss = defineOp({
  op: 'NegativeLogLikelihoodLoss',
  opClass: 'loss',
  flopConvention: '1 FLOP per target (pick and reduce), 2 with class weights',
  attrs: classLossAttrs,
  infer: (inputs, a) => [classLoss(inputs, a.reduction, 'NegativeLogLikelihoodLoss')],
  counts: (inputs) => ({ macs: 0, otherFlops: (inputs[2] ? 2 : 1) * numel(req(inputs, 1, 'target').shape) }),
});

function samePair(a: TensorType, b: TensorType, op: string): void {
  if (a.shape.join() !== b.shape.join()) throw shapeError(`${op} prediction [${a.shape}] and target [${b.shape}] differ`);
}

export const MSELoss = defineOp({
  op: 'MSELoss',
  opClass: 'loss',
  flopConvention: '3 FLOPs per element (difference, square, sum)',
  attrs: (raw) => ({ reduction: enumAttr(raw, 'reduction', REDUCTIONS, 'mean') }),
  infer(inputs, a) {
    const p = req(inputs, 0, 'prediction'), t = req(inputs, 1, 'target');
    samePair(p, t, 'MSELoss');
    return [{ shape: lossShape(a.reduction, [...p.shape]), dtype: p.dtype }];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: 3 * numel(req(inputs, 0, 'prediction').shape) }),
});

export const MSELossGrad = defineOp({
  op: 'MSELossGrad',
  opClass: 'loss',
  flopConvention: '3 FLOPs per element (difference, scale, times dLoss)',
  attrs: (raw) => ({ reduction: enumAttr(raw, 'reduction', REDUCTIONS, 'mean') }),
  infer(inputs) {
    req(inputs, 0, 'dLoss');
    const p = req(inputs, 1, 'prediction');
    samePair(p, req(inputs, 2, 'target'), 'MSELossGrad');
    return [{ shape: [...p.shape], dtype: p.dtype }];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: 3 * numel(req(inputs, 1, 'prediction').shape) }),
});
