import { isFloat, type DType } from '../dtype.js';

/**
 * Which input slots of an op hold trained parameters. A stored tensor
 * (initializer) is a weight when some remaining node reads it in a parameter
 * slot: the data operands of compute ops whatever their element type
 * (quantized models store int8 weights), and any non-configuration operand
 * when it is a float tensor (a bias added with Add, a LayerNorm scale).
 * Configuration operands — shapes, axes, indices, quantization scales and
 * zero points, running statistics, initial states — are constants.
 */
const COMPUTE_DATA_SLOTS: Readonly<Record<string, readonly number[]>> = {
  Conv: [1, 2],
  ConvTranspose: [1, 2],
  Gemm: [0, 1, 2],
  MatMul: [0, 1],
  Einsum: [0, 1, 2, 3],
  LSTM: [1, 2, 3, 7],
  GRU: [1, 2, 3],
  RNN: [1, 2, 3],
  Embedding: [1],
  QLinearConv: [3, 8],
  QLinearMatMul: [0, 3],
  MatMulInteger: [0, 1],
  ConvInteger: [0, 1],
  DequantizeLinear: [0],
};

const CONFIG_SLOTS: Readonly<Record<string, readonly number[]>> = {
  BatchNormalization: [3, 4],
  Reshape: [1], Expand: [1], Tile: [1], Squeeze: [1], Unsqueeze: [1], Split: [1], Slice: [1, 2, 3, 4], Pad: [1, 2, 3],
  Resize: [1, 2, 3], Clip: [1, 2], TopK: [1], OneHot: [0, 1, 2], Dropout: [1, 2], CumSum: [1], CumProd: [1], Range: [0, 1, 2],
  ConstantOfShape: [0], Shape: [0], Size: [0], Gather: [1], GatherElements: [1], GatherND: [1], ScatterND: [1], ScatterElements: [1],
  Trilu: [1], Where: [0], Compress: [1], CenterCropPad: [1], EyeLike: [0], CastLike: [1],
  ReduceSum: [1], ReduceMean: [1], ReduceMax: [1], ReduceMin: [1], ReduceProd: [1], ReduceL1: [1], ReduceL2: [1], ReduceLogSum: [1], ReduceLogSumExp: [1], ReduceSumSquare: [1],
  QuantizeLinear: [1, 2], DequantizeLinear: [1, 2], QLinearConv: [1, 2, 4, 5, 6, 7], QLinearMatMul: [1, 2, 4, 5, 6, 7], MatMulInteger: [2, 3], ConvInteger: [2, 3],
  LSTM: [4, 5, 6], GRU: [4, 5], RNN: [4, 5],
  RoiAlign: [1, 2], NonMaxSuppression: [2, 3, 4], GridSample: [1], AffineGrid: [1], Col2Im: [1, 2], ReverseSequence: [1],
};

export function isParameterSlot(op: string, slot: number, dtype: DType): boolean {
  if (dtype === 'bool' || dtype === 'string') return false;
  if (COMPUTE_DATA_SLOTS[op]?.includes(slot)) return true;
  return isFloat(dtype) && !CONFIG_SLOTS[op]?.includes(slot);
}
