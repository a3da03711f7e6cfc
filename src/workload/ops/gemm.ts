import { matmulProblem } from '../../problem/builders.js';
import { defineOp, expectRank, floatAttr, intAttr, req, shapeError } from '../op.js';
import { broadcastShapes } from '../shape.js';
import { precisionOf } from './conv.js';
import type { TensorType } from '../graph.js';

/**
 * Gemm (ONNX): Y = alpha · A' · B' + beta · C with A' = transA ? Aᵀ : A (M×K),
 * B' = transB ? Bᵀ : B (K×N), C broadcast to M×N.
 * MACs = M·N·K; +1 FLOP per output element for C, +1 for alpha ≠ 1, +1 for beta ≠ 1.
 */
export type GemmAttrs = { alpha: number; beta: number; transA: number; transB: number };

function dims(a: TensorType, b: TensorType, t: GemmAttrs) {
  expectRank(a, 2, 'Gemm A');
  expectRank(b, 2, 'Gemm B');
  const [M, K] = t.transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [K2, N] = t.transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (K !== K2) throw shapeError(`Gemm inner dimensions differ: A' is ${M}×${K}, B' is ${K2}×${N}`);
  return { M, K, N };
}

export const Gemm = defineOp<GemmAttrs>({
  op: 'Gemm',
  opClass: 'matmul',
  flopConvention: 'MACs = M·N·K; +1 FLOP per output element for C, alpha ≠ 1 and beta ≠ 1 each',
  attrs: (raw) => ({ alpha: floatAttr(raw, 'alpha', 1), beta: floatAttr(raw, 'beta', 1), transA: intAttr(raw, 'transA', 0), transB: intAttr(raw, 'transB', 0) }),
  infer(inputs, t) {
    const a = req(inputs, 0, 'A');
    const { M, N } = dims(a, req(inputs, 1, 'B'), t);
    const c = inputs[2];
    if (c) {
      const bc = broadcastShapes([c.shape, [M, N]]);
      if (bc.length !== 2 || bc[0] !== M || bc[1] !== N) throw shapeError(`Gemm C [${c.shape}] does not broadcast to [${M},${N}]`);
    }
    return [{ shape: [M, N], dtype: a.dtype }];
  },
  counts(inputs, _o, t) {
    const { M, N, K } = dims(req(inputs, 0, 'A'), req(inputs, 1, 'B'), t);
    const per = (inputs[2] ? 1 : 0) + (t.alpha !== 1 ? 1 : 0) + (inputs[2] && t.beta !== 1 ? 1 : 0);
    return { macs: M * N * K, otherFlops: per * M * N };
  },
  lower(inputs, _o, t) {
    const a = req(inputs, 0, 'A');
    const { M, N, K } = dims(a, req(inputs, 1, 'B'), t);
    return [{ problem: matmulProblem({ M, N, K }, precisionOf(a.dtype)), repeat: 1 }];
  },
});
