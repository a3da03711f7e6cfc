import { convProblem, matmulProblem } from '../../problem/builders.js';
import { dtypeBits, parseDType, type DType } from '../dtype.js';
import { numel, type Attrs, type TensorType } from '../graph.js';
import { defineOp, intAttr, req, stringAttr } from '../op.js';
import { convAttrs, convGeometry, convShape, type ConvAttrs } from './conv.js';
import { matmulGeometry } from './matmul.js';

/**
 * Quantized inference (the forms accelerator toolchains export):
 * QuantizeLinear (4 FLOPs per element: scale, round, shift, clamp),
 * DequantizeLinear (2: shift, scale), DynamicQuantizeLinear (6: min and max,
 * then quantize), and the integer compute ops MatMulInteger and ConvInteger
 * (int32 results) and QLinearMatMul and QLinearConv (requantized results:
 * +3 FLOPs per output element, +1 for a bias). Their MACs are those of
 * MatMul and Conv, lowered with the operands' bit width and 32-bit
 * accumulators.
 */
const INT_PRECISION = (operand: DType) => ({ operandBits: dtypeBits(operand), resultBits: 32 });

function optionalDtype(raw: Attrs, name: string): Attrs {
  return { [name]: raw[name] === undefined || raw[name] === null ? null : parseDType(stringAttr(raw, name)) };
}

export const QuantizeLinear = defineOp({
  op: 'QuantizeLinear',
  opClass: 'elementwise',
  flopConvention: '4 FLOPs per element',
  attrs: (raw): Attrs => ({ axis: intAttr(raw, 'axis', 1), block_size: intAttr(raw, 'block_size', 0), saturate: intAttr(raw, 'saturate', 1), ...optionalDtype(raw, 'output_dtype') }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'x');
    const dtype = inputs[2]?.dtype ?? (a.output_dtype as DType | null) ?? 'uint8';
    return [{ shape: [...x.shape], dtype }];
  },
  counts: (_i, outputs) => ({ macs: 0, otherFlops: 4 * numel(outputs[0]!.shape) }),
});

export const DequantizeLinear = defineOp({
  op: 'DequantizeLinear',
  opClass: 'elementwise',
  flopConvention: '2 FLOPs per element',
  attrs: (raw): Attrs => ({ axis: intAttr(raw, 'axis', 1), block_size: intAttr(raw, 'block_size', 0), ...optionalDtype(raw, 'output_dtype') }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'x');
    const dtype = (a.output_dtype as DType | null) ?? req(inputs, 1, 'x_scale').dtype;
    return [{ shape: [...x.shape], dtype }];
  },
  counts: (_i, outputs) => ({ macs: 0, otherFlops: 2 * numel(outputs[0]!.shape) }),
});

export const DynamicQuantizeLinear = defineOp({
  op: 'DynamicQuantizeLinear',
  opClass: 'elementwise',
  flopConvention: '6 FLOPs per element',
  attrs: () => ({}),
  infer(inputs) {
    const x = req(inputs, 0, 'x');
    return [{ shape: [...x.shape], dtype: 'uint8' }, { shape: [], dtype: 'float32' }, { shape: [], dtype: 'uint8' }];
  },
  counts: (inputs) => ({ macs: 0, otherFlops: 6 * numel(req(inputs, 0, 'x').shape) }),
});

/** A matmul's MACs and loop nest for operands `a` and `b` (slots differ between the integer ops). */
function matmulCounts(a: TensorType, b: TensorType, perOutput: number) {
  const g = matmulGeometry(a, b);
  const outputs = numel(g.outShape);
  return { macs: outputs * g.K, otherFlops: perOutput * outputs };
}

function matmulLowered(a: TensorType, b: TensorType) {
  const g = matmulGeometry(a, b);
  const B = numel(g.batch);
  const shape = g.bBatch === 1 ? { M: B * g.M, N: g.N, K: g.K } : { B, M: g.M, N: g.N, K: g.K };
  return [{ problem: matmulProblem(shape, INT_PRECISION(a.dtype), 'matmul-integer'), repeat: 1 }];
}

export const MatMulInteger = defineOp({
  op: 'MatMulInteger',
  opClass: 'matmul',
  flopConvention: 'MACs = output elements · K (zero points folded into the accumulation)',
  attrs: () => ({}),
  infer(inputs) {
    return [{ shape: matmulGeometry(req(inputs, 0, 'A'), req(inputs, 1, 'B')).outShape, dtype: 'int32' }];
  },
  counts: (inputs) => matmulCounts(req(inputs, 0, 'A'), req(inputs, 1, 'B'), 0),
  lower: (inputs) => matmulLowered(req(inputs, 0, 'A'), req(inputs, 1, 'B')),
});

export const QLinearMatMul = defineOp({
  op: 'QLinearMatMul',
  opClass: 'matmul',
  flopConvention: 'MACs = output elements · K; +3 FLOPs per output element (requantize)',
  attrs: () => ({}),
  infer(inputs) {
    const a = req(inputs, 0, 'a'), b = req(inputs, 3, 'b');
    return [{ shape: matmulGeometry(a, b).outShape, dtype: inputs[7]?.dtype ?? a.dtype }];
  },
  counts: (inputs) => matmulCounts(req(inputs, 0, 'a'), req(inputs, 3, 'b'), 3),
  lower: (inputs) => matmulLowered(req(inputs, 0, 'a'), req(inputs, 3, 'b')),
});

function convCounts(x: TensorType, w: TensorType, a: ConvAttrs, perOutput: number) {
  const geo = convGeometry(x, w, a);
  const outputs = geo.N * geo.K * numel(geo.outSize);
  return { macs: outputs * (geo.C / geo.group) * numel(geo.kernel), otherFlops: perOutput * outputs };
}

function convLowered(x: TensorType, w: TensorType, a: ConvAttrs) {
  return [{ problem: convProblem(convShape(convGeometry(x, w, a)), INT_PRECISION(x.dtype), 'conv-integer'), repeat: 1 }];
}

export const ConvInteger = defineOp<ConvAttrs>({
  op: 'ConvInteger',
  opClass: 'convolution',
  flopConvention: 'MACs = N·K·Πout·(C/group)·Πkernel (zero points folded into the accumulation)',
  attrs: convAttrs,
  infer(inputs, a) {
    const geo = convGeometry(req(inputs, 0, 'x'), req(inputs, 1, 'w'), a);
    return [{ shape: [geo.N, geo.K, ...geo.outSize], dtype: 'int32' }];
  },
  counts: (inputs, _o, a) => convCounts(req(inputs, 0, 'x'), req(inputs, 1, 'w'), a, 0),
  lower: (inputs, _o, a) => convLowered(req(inputs, 0, 'x'), req(inputs, 1, 'w'), a),
});

export const QLinearConv = defineOp<ConvAttrs>({
  op: 'QLinearConv',
  opClass: 'convolution',
  flopConvention: 'MACs = N·K·Πout·(C/group)·Πkernel; +3 FLOPs per output element (requantize), +1 with a bias',
  attrs: convAttrs,
  infer(inputs, a) {
    const x = req(inputs, 0, 'x');
    const geo = convGeometry(x, req(inputs, 3, 'w'), a);
    return [{ shape: [geo.N, geo.K, ...geo.outSize], dtype: inputs[7]?.dtype ?? x.dtype }];
  },
  counts: (inputs, _o, a) => convCounts(req(inputs, 0, 'x'), req(inputs, 3, 'w'), a, inputs[8] ? 4 : 3),
  lower: (inputs, _o, a) => convLowered(req(inputs, 0, 'x'), req(inputs, 3, 'w'), a),
});
