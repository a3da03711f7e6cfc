import { OpRegistry } from '../registry.js';
import { ConvGradInput, ConvGradWeight } from './conv_grad.js';
import { ElementwiseGrad } from './elementwise_grad.js';
import { GatherGrad } from './gather_grad.js';
import { MSELoss, MSELossGrad, SoftmaxCrossEntropyLoss, SoftmaxCrossEntropyLossGrad } from './loss.js';
import { NormalizationGrad } from './normalization_grad.js';
import { UPDATE_OPS } from './optimizer.js';
import { PoolGrad } from './pool_grad.js';
import { RecurrentGrad } from './recurrent_grad.js';
import { SumToShape } from './sum_to_shape.js';
import { TransposedMatMul } from './transposed_matmul.js';
import { NARY_OPS } from './binary.js';
import { Cast } from './cast.js';
import { Clip } from './clip.js';
import { Conv } from './conv.js';
import { ConvTranspose } from './conv_transpose.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { Gemm } from './gemm.js';
import { MatMul } from './matmul.js';
import { Concat, Gather, Pad, Slice, Split, Transpose } from './movement.js';
import { BatchNormalization, GroupNormalization, InstanceNormalization, LayerNormalization, LRN } from './normalization.js';
import { POOL_OPS } from './pool.js';
import { GRU, LSTM, RNN } from './rnn.js';
import { Hardmax, LogSoftmax, Softmax } from './softmax.js';
import { Identity, UNARY_OPS } from './unary.js';
import { Flatten, Reshape, Squeeze, Unsqueeze } from './views.js';

/** The registry of every op kind accelmap knows. Adding an op: one file under ops/ and one entry here. */
export const registry = new OpRegistry();

for (const kind of [
  // compute
  Conv, ConvTranspose, MatMul, Gemm, LSTM, GRU, RNN,
  // element-wise
  ...UNARY_OPS, ...NARY_OPS, Clip, Cast, Dropout,
  // normalization and pooling
  BatchNormalization, LayerNormalization, InstanceNormalization, GroupNormalization, LRN,
  Softmax, LogSoftmax, Hardmax, ...POOL_OPS,
  // data movement
  Identity, Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice, Pad, Gather, Embedding,
]) {
  registry.register(kind);
}

// training
for (const kind of [
  ConvGradInput, ConvGradWeight, TransposedMatMul, RecurrentGrad, ElementwiseGrad, NormalizationGrad, PoolGrad, GatherGrad, SumToShape,
  SoftmaxCrossEntropyLoss, SoftmaxCrossEntropyLossGrad, MSELoss, MSELossGrad, ...UPDATE_OPS,
]) {
  registry.register(kind);
}
