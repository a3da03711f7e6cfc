import { numel } from '../../workload/graph.js';
import type { GemmAttrs } from '../../workload/ops/gemm.js';
import { alignedStrides, mapBroadcast } from '../broadcast.js';
import { gemm, transposeInto } from '../gemm.js';
import { defineKernel, input, type Kernel, type KernelCall } from '../kernel.js';
import { alloc, type Value } from '../value.js';

/**
 * MatMul (numpy semantics: 1-D operands promoted, batch dimensions
 * broadcast) and Gemm (alpha·A'·B' + beta·C). Both transpose the right-hand
 * operand once per distinct matrix so the product's inner loop runs over
 * contiguous rows (see gemm.ts).
 */
function matmul(call: KernelCall): Value[] {
  const a = input(call, 0), b = input(call, 1);
  const t = call.outputs[0]!;
  const aShape = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bShape = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const M = aShape[aShape.length - 2]!, K = aShape[aShape.length - 1]!, N = bShape[bShape.length - 1]!;
  const aBatch = aShape.slice(0, -2), bBatch = bShape.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const batch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = aBatch[aBatch.length - rank + i] ?? 1, db = bBatch[bBatch.length - rank + i] ?? 1;
    batch.push(da === 1 ? db : da);
  }
  const out = alloc(t.shape, t.dtype);
  const o = out.data as Float32Array | Float64Array;
  // each distinct matrix of B transposed once
  const bCount = numel(bBatch);
  const bt = new Float32Array(bCount * K * N);
  for (let i = 0; i < bCount; i++) transposeInto(b.data, i * K * N, K, N, bt, i * K * N);
  const aSt = alignedStrides(aBatch, batch), bSt = alignedStrides(bBatch, batch);
  const count = numel(batch);
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < count; i++) {
    let ai = 0, bi = 0;
    for (let ax = 0; ax < rank; ax++) {
      ai += coord[ax]! * aSt[ax]!;
      bi += coord[ax]! * bSt[ax]!;
    }
    gemm(M, N, K, a.data, ai * M * K, bt, bi * K * N, o, i * M * N, N, false);
    for (let ax = rank - 1; ax >= 0; ax--) {
      if (++coord[ax]! < batch[ax]!) break;
      coord[ax] = 0;
    }
  }
  return [out];
}

function gemmKernel(call: KernelCall<GemmAttrs>): Value[] {
  const a = input(call, 0), b = input(call, 1);
  const { alpha, beta, transA, transB } = call.attrs;
  const [M, K] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const N = transB ? b.shape[0]! : b.shape[1]!;
  let aRows: ArrayLike<number> = a.data;
  if (transA) {
    const at = new Float32Array(M * K);
    transposeInto(a.data, 0, K, M, at);
    aRows = at;
  }
  let bRows: ArrayLike<number> = b.data;
  if (!transB) {
    const bt = new Float32Array(K * N);
    transposeInto(b.data, 0, K, N, bt);
    bRows = bt;
  }
  const t = call.outputs[0]!;
  const out = alloc(t.shape, t.dtype);
  const o = out.data as Float32Array | Float64Array;
  gemm(M, N, K, aRows, 0, bRows, 0, o, 0, N, false);
  if (alpha !== 1) for (let i = 0; i < o.length; i++) o[i] = alpha * o[i]!;
  const c = call.inputs[2];
  // out is read and written at the same position: safe in place
  if (c && beta !== 0) mapBroadcast([out, c], out, (args) => args[0]! + beta * args[1]!);
  return [out];
}

export const MATMUL_KERNELS: Kernel[] = [defineKernel('MatMul', matmul), defineKernel<GemmAttrs>('Gemm', gemmKernel)];
