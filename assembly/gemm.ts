// The executor's matrix product in WebAssembly SIMD (see src/execute/gemm.ts):
// C[m, n] = Σ_k A[m, k] · Bt[n, k] over float32 rows that the host placed in
// memory (A at `a`, Bt at `b`, C at `c`, all row-major, k contiguous).
// Blocks of 4 rows × 2 columns of C keep eight 4-lane sums in registers;
// columns are walked in blocks whose rows of Bt stay in cache.

const BLOCK_BYTES: i32 = 131072;

@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

@inline
function dot(x: usize, y: usize, K: i32, K4: i32): f32 {
  let s = f32x4.splat(0);
  for (let k = 0; k < K4; k += 4) {
    const o = (<usize>k) << 2;
    s = f32x4.add(s, f32x4.mul(v128.load(x + o), v128.load(y + o)));
  }
  let r = hsum(s);
  for (let k = K4; k < K; k++) r += load<f32>(x + ((<usize>k) << 2)) * load<f32>(y + ((<usize>k) << 2));
  return r;
}

export function gemm(M: i32, N: i32, K: i32, a: usize, b: usize, c: usize): void {
  const row = (<usize>K) << 2;
  const K4 = K & ~3;
  let block = BLOCK_BYTES / max(1, K << 2);
  if (block < 4) block = 4;
  for (let n0 = 0; n0 < N; n0 += block) {
    const n1 = min(N, n0 + block);
    let m = 0;
    for (; m + 4 <= M; m += 4) {
      const a0 = a + <usize>m * row, a1 = a0 + row, a2 = a1 + row, a3 = a2 + row;
      const c0 = c + ((<usize>m * <usize>N) << 2), c1 = c0 + ((<usize>N) << 2), c2 = c1 + ((<usize>N) << 2), c3 = c2 + ((<usize>N) << 2);
      let n = n0;
      for (; n + 2 <= n1; n += 2) {
        const b0 = b + <usize>n * row, b1 = b0 + row;
        let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
        let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
        for (let k = 0; k < K4; k += 4) {
          const o = (<usize>k) << 2;
          const x0 = v128.load(b0 + o), x1 = v128.load(b1 + o);
          const w0 = v128.load(a0 + o), w1 = v128.load(a1 + o), w2 = v128.load(a2 + o), w3 = v128.load(a3 + o);
          s00 = f32x4.add(s00, f32x4.mul(w0, x0)); s01 = f32x4.add(s01, f32x4.mul(w0, x1));
          s10 = f32x4.add(s10, f32x4.mul(w1, x0)); s11 = f32x4.add(s11, f32x4.mul(w1, x1));
          s20 = f32x4.add(s20, f32x4.mul(w2, x0)); s21 = f32x4.add(s21, f32x4.mul(w2, x1));
          s30 = f32x4.add(s30, f32x4.mul(w3, x0)); s31 = f32x4.add(s31, f32x4.mul(w3, x1));
        }
        let r00 = hsum(s00), r01 = hsum(s01), r10 = hsum(s10), r11 = hsum(s11);
        let r20 = hsum(s20), r21 = hsum(s21), r30 = hsum(s30), r31 = hsum(s31);
        for (let k = K4; k < K; k++) {
          const o = (<usize>k) << 2;
          const x0 = load<f32>(b0 + o), x1 = load<f32>(b1 + o);
          const w0 = load<f32>(a0 + o), w1 = load<f32>(a1 + o), w2 = load<f32>(a2 + o), w3 = load<f32>(a3 + o);
          r00 += w0 * x0; r01 += w0 * x1; r10 += w1 * x0; r11 += w1 * x1;
          r20 += w2 * x0; r21 += w2 * x1; r30 += w3 * x0; r31 += w3 * x1;
        }
        const o = (<usize>n) << 2;
        store<f32>(c0 + o, r00); store<f32>(c0 + o + 4, r01);
        store<f32>(c1 + o, r10); store<f32>(c1 + o + 4, r11);
        store<f32>(c2 + o, r20); store<f32>(c2 + o + 4, r21);
        store<f32>(c3 + o, r30); store<f32>(c3 + o + 4, r31);
      }
      for (; n < n1; n++) {
        const b0 = b + <usize>n * row;
        const o = (<usize>n) << 2;
        store<f32>(c0 + o, dot(a0, b0, K, K4));
        store<f32>(c1 + o, dot(a1, b0, K, K4));
        store<f32>(c2 + o, dot(a2, b0, K, K4));
        store<f32>(c3 + o, dot(a3, b0, K, K4));
      }
    }
    for (; m < M; m++) {
      const a0 = a + <usize>m * row;
      const c0 = c + ((<usize>m * <usize>N) << 2);
      for (let n = n0; n < n1; n++) store<f32>(c0 + ((<usize>n) << 2), dot(a0, b + <usize>n * row, K, K4));
    }
  }
}
