import { gemmWasm } from '../generated/gemm-wasm.js';
import { wasm, type WasmMemory } from '../util/wasm.js';

/**
 * The one matrix product every compute kernel uses:
 * C[m, n] (+)= Σ_k A[m, k] · Bt[n, k], with A and Bt row-major and k
 * contiguous in both, so the inner loop is a dot product of two contiguous
 * rows. It runs in WebAssembly SIMD (assembly/gemm.ts, float32 lanes, 4 × 2
 * blocks of C in registers): the operands are copied into the kernel's
 * memory, multiplied there and the result copied out, which costs
 * O(M·K + N·K + M·N) against the product's O(M·N·K). Sums are float32, as in
 * other fp32 runtimes.
 */
type Floats = Float32Array | Float64Array;

interface GemmKernel {
  gemm(M: number, N: number, K: number, a: number, b: number, c: number): void;
  memory: WasmMemory;
}

const kernel = new wasm.Instance(new wasm.Module(Buffer.from(gemmWasm, 'base64')), {}).exports as GemmKernel;
/** Operands start past the kernel's first page (its own data, if any, lives there). */
const BASE = 65536;
const PAGE = 65536;
let heap = new Float32Array(kernel.memory.buffer);

function reserve(bytes: number): void {
  const short = BASE + bytes - kernel.memory.buffer.byteLength;
  if (short > 0) kernel.memory.grow(Math.ceil(short / PAGE));
  if (heap.buffer !== kernel.memory.buffer) heap = new Float32Array(kernel.memory.buffer);
}

function copyIn(src: ArrayLike<number>, off: number, n: number, at: number): void {
  if (src instanceof Float32Array) heap.set(src.subarray(off, off + n), at);
  else for (let i = 0; i < n; i++) heap[at + i] = src[off + i]!;
}

export function gemm(
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number,
  Bt: ArrayLike<number>, bOff: number,
  C: Floats, cOff: number, ldc: number,
  accumulate: boolean,
): void {
  if (M === 0 || N === 0) return;
  const aLen = M * K, bLen = N * K;
  reserve(4 * (aLen + bLen + M * N));
  const a = BASE / 4, b = a + aLen, c = b + bLen;
  copyIn(A, aOff, aLen, a);
  copyIn(Bt, bOff, bLen, b);
  kernel.gemm(M, N, K, 4 * a, 4 * b, 4 * c);
  for (let m = 0; m < M; m++) {
    const row = heap.subarray(c + m * N, c + (m + 1) * N);
    const at = cOff + m * ldc;
    if (!accumulate) C.set(row, at);
    else for (let n = 0; n < N; n++) C[at + n] += row[n]!;
  }
}

/** Row-major R × Cc matrix at `off` transposed into `out` (Cc × R). */
export function transposeInto(src: ArrayLike<number>, off: number, R: number, Cc: number, out: Floats, outOff = 0): void {
  for (let r = 0; r < R; r++) {
    const row = off + r * Cc;
    for (let c = 0; c < Cc; c++) out[outOff + c * R + r] = src[row + c]!;
  }
}
