import type { TensorType } from '../graph.js';
import { defineOp, intAttr, req, shapeError } from '../op.js';
import { MatMul } from './matmul.js';

/**
 * TransposedMatMul (training): MatMul with numpy batch broadcasting whose
 * operands may each be read transposed in their last two axes (transA,
 * transB), as BLAS does with its transpose flags — no data is moved. The
 * gradients of a MatMul are products with a transposed operand:
 * dA = dY · Bᵀ, dB = Aᵀ · dY. Shape rule, counts and lowering are MatMul's
 * applied to the logically transposed operands.
 */
export type TransposedMatMulAttrs = { transA: number; transB: number };

function logical(t: TensorType | undefined, trans: number, what: string): TensorType {
  const x = req([t], 0, what);
  if (!trans) return x;
  if (x.shape.length < 2) throw shapeError(`TransposedMatMul ${what} must have rank ≥ 2 to be transposed, got [${x.shape}]`);
  const s = [...x.shape];
  [s[s.length - 2], s[s.length - 1]] = [s[s.length - 1]!, s[s.length - 2]!];
  return { shape: s, dtype: x.dtype };
}

const operands = (inputs: (TensorType | undefined)[], a: TransposedMatMulAttrs) => [logical(inputs[0], a.transA, 'A'), logical(inputs[1], a.transB, 'B')];

export const TransposedMatMul = defineOp<TransposedMatMulAttrs>({
  op: 'TransposedMatMul',
  opClass: 'matmul',
  flopConvention: 'MACs = output elements · K (as MatMul); no other FLOPs',
  attrs: (raw) => ({ transA: intAttr(raw, 'transA', 0), transB: intAttr(raw, 'transB', 0) }),
  infer: (inputs, a) => MatMul.infer(operands(inputs, a), {}),
  counts: (inputs, outputs, a) => MatMul.counts(operands(inputs, a), outputs, {}),
  lower: (inputs, outputs, a) => MatMul.lower!(operands(inputs, a), outputs, {}),
});
