/**
 * The one matrix product every compute kernel uses:
 * C[m, n] (+)= Σ_k A[m, k] · Bt[n, k], with A and Bt row-major and k
 * contiguous in both, so the inner loop is a dot product of two contiguous
 * rows accumulated in registers. A 4 × 2 block of C is computed at a time
 * (8 accumulators, 6 loads per 8 multiply-adds); sums are kept in float64
 * and rounded once when stored.
 */
export function gemm(
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number,
  Bt: ArrayLike<number>, bOff: number,
  C: Float32Array | Float64Array, cOff: number, ldc: number,
  accumulate: boolean,
): void {
  // columns in blocks whose rows of Bt (about 128 KiB) stay in cache while every row of A passes
  const block = Math.max(4, Math.min(N, Math.floor(BLOCK_ELEMENTS / Math.max(1, K))));
  for (let n0 = 0; n0 < N; n0 += block) {
    gemmBlock(M, Math.min(block, N - n0), K, A, aOff, Bt, bOff + n0 * K, C, cOff + n0, ldc, accumulate);
  }
}

const BLOCK_ELEMENTS = 32768;

function gemmBlock(
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number,
  Bt: ArrayLike<number>, bOff: number,
  C: Float32Array | Float64Array, cOff: number, ldc: number,
  accumulate: boolean,
): void {
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const a0 = aOff + m * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K;
    let n = 0;
    for (; n + 2 <= N; n += 2) {
      const b0 = bOff + n * K, b1 = b0 + K;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = Bt[b0 + k]!, x1 = Bt[b1 + k]!;
        const w0 = A[a0 + k]!, w1 = A[a1 + k]!, w2 = A[a2 + k]!, w3 = A[a3 + k]!;
        s00 += w0 * x0; s01 += w0 * x1;
        s10 += w1 * x0; s11 += w1 * x1;
        s20 += w2 * x0; s21 += w2 * x1;
        s30 += w3 * x0; s31 += w3 * x1;
      }
      const c = cOff + m * ldc + n;
      if (accumulate) {
        C[c] += s00; C[c + 1] += s01; C[c + ldc] += s10; C[c + ldc + 1] += s11;
        C[c + 2 * ldc] += s20; C[c + 2 * ldc + 1] += s21; C[c + 3 * ldc] += s30; C[c + 3 * ldc + 1] += s31;
      } else {
        C[c] = s00; C[c + 1] = s01; C[c + ldc] = s10; C[c + ldc + 1] = s11;
        C[c + 2 * ldc] = s20; C[c + 2 * ldc + 1] = s21; C[c + 3 * ldc] = s30; C[c + 3 * ldc + 1] = s31;
      }
    }
    for (; n < N; n++) {
      const b0 = bOff + n * K;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < K; k++) {
        const x = Bt[b0 + k]!;
        s0 += A[a0 + k]! * x; s1 += A[a1 + k]! * x; s2 += A[a2 + k]! * x; s3 += A[a3 + k]! * x;
      }
      const c = cOff + m * ldc + n;
      if (accumulate) {
        C[c] += s0; C[c + ldc] += s1; C[c + 2 * ldc] += s2; C[c + 3 * ldc] += s3;
      } else {
        C[c] = s0; C[c + ldc] = s1; C[c + 2 * ldc] = s2; C[c + 3 * ldc] = s3;
      }
    }
  }
  for (; m < M; m++) {
    const a0 = aOff + m * K;
    for (let n = 0; n < N; n++) {
      const b0 = bOff + n * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[a0 + k]! * Bt[b0 + k]!;
      const c = cOff + m * ldc + n;
      C[c] = accumulate ? C[c]! + s : s;
    }
  }
}

/** Row-major R × Cc matrix at `off` transposed into `out` (Cc × R). */
export function transposeInto(src: ArrayLike<number>, off: number, R: number, Cc: number, out: Float32Array | Float64Array, outOff = 0): void {
  for (let r = 0; r < R; r++) {
    const row = off + r * Cc;
    for (let c = 0; c < Cc; c++) out[outOff + c * R + r] = src[row + c]!;
  }
}
