import { matmulProblem } from '../../problem/builders.js';
import { numel, type TensorType } from '../graph.js';
import { defineOp, req, shapeError } from '../op.js';
import { broadcastShapes } from '../shape.js';
import { precisionOf } from './conv.js';

/**
 * MatMul with numpy semantics: A [..., M, K] · B [..., K, N] → [..., M, N];
 * batch dimensions broadcast; a 1-D A is [1, K] and a 1-D B is [K, 1], the
 * added dimension removed from the result. MACs = output elements · K.
 */
export interface MatmulGeometry {
  M: number;
  K: number;
  N: number;
  batch: number[];
  aBatch: number;
  bBatch: number;
  outShape: number[];
}

export function matmulGeometry(a: TensorType, b: TensorType): MatmulGeometry {
  if (a.shape.length === 0 || b.shape.length === 0) throw shapeError('MatMul inputs must have rank ≥ 1');
  const as = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const M = as[as.length - 2]!, K = as[as.length - 1]!;
  const K2 = bs[bs.length - 2]!, N = bs[bs.length - 1]!;
  if (K !== K2) throw shapeError(`MatMul inner dimensions differ: [${a.shape}] · [${b.shape}]`);
  const batch = broadcastShapes([as.slice(0, -2), bs.slice(0, -2)]);
  const outShape = [...batch];
  if (a.shape.length > 1) outShape.push(M);
  if (b.shape.length > 1) outShape.push(N);
  return { M, K, N, batch, aBatch: numel(as.slice(0, -2)), bBatch: numel(bs.slice(0, -2)), outShape };
}

export const MatMul = defineOp({
  op: 'MatMul',
  opClass: 'matmul',
  flopConvention: 'MACs = output elements · K; no other FLOPs',
  attrs: () => ({}),
  infer(inputs) {
    const a = req(inputs, 0, 'A');
    const g = matmulGeometry(a, req(inputs, 1, 'B'));
    return [{ shape: g.outShape, dtype: a.dtype }];
  },
  counts(inputs) {
    const g = matmulGeometry(req(inputs, 0, 'A'), req(inputs, 1, 'B'));
    return { macs: numel(g.batch) * g.M * g.N * g.K, otherFlops: 0 };
  },
  lower(inputs) {
    const a = req(inputs, 0, 'A');
    const g = matmulGeometry(a, req(inputs, 1, 'B'));
    const B = numel(g.batch);
    const precision = precisionOf(a.dtype);
    // A batch that only the left operand has is a taller matrix (e.g. a linear layer over tokens).
    if (g.bBatch === 1) return [{ problem: matmulProblem({ M: B * g.M, N: g.N, K: g.K }, precision), repeat: 1 }];
    // Only the right operand batched: transpose the product so the shared operand is the Weights.
    if (g.aBatch === 1) return [{ problem: matmulProblem({ M: B * g.N, N: g.M, K: g.K }, precision), repeat: 1 }];
    return [{ problem: matmulProblem({ B, M: g.M, N: g.N, K: g.K }, precision), repeat: 1 }];
  },
});
