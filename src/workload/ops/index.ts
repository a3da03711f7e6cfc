import { OpRegistry } from '../registry.js';
import type { Node } from '../graph.js';
import type { OpClass } from '../op.js';
import { ConvGradInput, ConvGradWeight } from './conv_grad.js';
import { ElementwiseGrad } from './elementwise_grad.js';
import { GatherGrad } from './gather_grad.js';
import { MSELoss, MSELossGrad, NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss, SoftmaxCrossEntropyLossGrad } from './loss.js';
import { NormalizationGrad } from './normalization_grad.js';
import { PREVIEW_OPTIMIZERS, UPDATE_OPS } from './optimizer.js';
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
import { Attention, FlexAttention, RotaryEmbedding } from './attention.js';
import { BitCast, CastLike } from './casts.js';
import { CausalConvWithState } from './causal_conv.js';
import { Col2Im } from './col2im.js';
import { CenterCropPad } from './crop.js';
import { CumProd, CumSum } from './cumulative.js';
import { Compress, NonMaxSuppression, NonZero, Unique } from './data_dependent.js';
import { DeformConv } from './deform_conv.js';
import { Det } from './det.js';
import { Einsum } from './einsum.js';
import { Expand, Tile } from './expand.js';
import { GatherElements, GatherND, ScatterElements, ScatterND, TensorScatter } from './gather_scatter.js';
import { ConstantOfShape, EyeLike, RANDOM_OPS, Range } from './generate.js';
import { MaxUnpool } from './max_unpool.js';
import { LinearAttention } from './linear_attention.js';
import { LpNormalization, MeanVarianceNormalization, RMSNormalization } from './norms.js';
import { OneHot } from './onehot.js';
import { ConvInteger, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger, QLinearConv, QLinearMatMul, QuantizeLinear } from './quantized.js';
import { ArgMax, ArgMin, REDUCE_OPS } from './reduce.js';
import { Resize } from './resize.js';
import { ReverseSequence } from './reverse_sequence.js';
import { AffineGrid, GridSample, MaxRoiPool, RoiAlign } from './sampling.js';
import { Shape, Size } from './shape_of.js';
import { DFT, MelWeightMatrix, STFT, WINDOW_OPS } from './signal.js';
import { DepthToSpace, SpaceToDepth } from './space_depth.js';
import { TopK } from './topk.js';
import { Trilu } from './trilu.js';
import { bindFusedRegistry, FusedGroup, loopOp } from './fused.js';
import { Blocked, LayoutTransform } from './layout.js';

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
  // onnx
  Shape, Size, Expand, Tile, Range, ConstantOfShape, EyeLike, ...RANDOM_OPS, CastLike,
  ...REDUCE_OPS, ArgMax, ArgMin, TopK, CumSum, CumProd, Einsum, Attention, FlexAttention, RotaryEmbedding,
  GatherElements, GatherND, ScatterElements, ScatterND, TensorScatter, OneHot, Trilu,
  NonZero, Unique, NonMaxSuppression, Compress, Resize, DepthToSpace, SpaceToDepth, CenterCropPad, ReverseSequence, Col2Im,
  QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv,
  MeanVarianceNormalization, LpNormalization, RMSNormalization, GridSample, AffineGrid, RoiAlign, MaxRoiPool, MaxUnpool, DeformConv, Det,
  LayoutTransform, Blocked,
  BitCast, DFT, STFT, ...WINDOW_OPS, MelWeightMatrix, CausalConvWithState, LinearAttention, ...PREVIEW_OPTIMIZERS,
]) {
  registry.register(kind);
}

// compiled graphs
registry.register(FusedGroup);
bindFusedRegistry((op) => registry.get(op));

/** A node's op class; a fused group's is that of the op it runs as (`loopOp`: its anchor's, or an element-wise chain's first op's). */
export function opClassOf(node: Node): OpClass {
  return registry.get(loopOp(node)).opClass;
}

// training
for (const kind of [
  ConvGradInput, ConvGradWeight, TransposedMatMul, RecurrentGrad, ElementwiseGrad, NormalizationGrad, PoolGrad, GatherGrad, SumToShape,
  SoftmaxCrossEntropyLoss, SoftmaxCrossEntropyLossGrad, NegativeLogLikelihoodLoss, MSELoss, MSELossGrad, ...UPDATE_OPS,
]) {
  registry.register(kind);
}
