import { gemm } from '../../execute/gemm.js';
import { im2colT, type Conv2d } from '../../execute/kernels/conv.js';
import { maxAbs } from '../calibrate.js';
import { mulShiftRound, shiftRound } from './fixed-point.js';
import { windowInput, type AddLayer, type Bounds, type GemmLayer, type MaxPoolLayer, type QLayer } from './graph.js';

/**
 * The integer kernels of the layers graph.ts defines. A GEMM (a
 * convolution as im2col rows per image and group) multiplies integer codes
 * exactly: products run on the executor's float32 matrix kernel over
 * reduction chunks short enough that no partial sum passes 2^24 (below which
 * float32 holds every integer), and the chunks add up in float64 (exact
 * below 2^53, past every accumulator graph.ts admits); so the sum is the
 * integer a 32- or 64-bit accumulator holds, with no wrap-around (the layer's
 * accumulator bound keeps it in range).
 */
export type Codes = Int32Array;

/** Every integer float32 holds exactly lies within ±2^24. */
const EXACT = 2 ** 24;

/** Shift, then clamp to the layer's code bounds. A shift s ≥ 0 divides by 2^s rounding down; s < 0 multiplies (the layer's accumulator bound covers the product). */
export function requantize(acc: number, shift: number, b: Bounds): number {
  const y = shift >= 0 ? Math.floor(acc / 2 ** shift) : acc * 2 ** -shift;
  return clamp(y, b);
}

const clamp = (y: number, b: Bounds): number => Math.min(b.hi, Math.max(b.lo, y));

/** A GEMM's requantization of channel c: a shift, or a fixed-point multiplier and shift; then the clamp. */
function requantizeChannel(l: GemmLayer, acc: number, c: number): number {
  if (!l.multiplier) return requantize(acc + l.bias[c]!, l.shift[c]!, l.bounds);
  return clamp(mulShiftRound(acc + l.bias[c]!, l.multiplier[c]!, l.shift[c]!), l.bounds);
}

/** Columns [k0, k0 + kc) of a row-major rows × k matrix. */
function columns(a: Float32Array, rows: number, k: number, k0: number, kc: number): Float32Array {
  const out = new Float32Array(rows * kc);
  for (let r = 0; r < rows; r++) out.set(a.subarray(r * k + k0, r * k + k0 + kc), r * kc);
  return out;
}

/** C[m, n] += Σ_k A[m, k] · Bt[n, k] exactly for integer A and Bt whose products are at most `maxProduct` in magnitude. */
function exactProduct(M: number, N: number, K: number, A: Float32Array, Bt: Float32Array, C: Float64Array, cOff: number, ldc: number, maxProduct: number): void {
  const chunk = maxProduct > 0 ? Math.max(1, Math.floor(EXACT / maxProduct)) : K;
  if (chunk >= K) return gemm(M, N, K, A, 0, Bt, 0, C, cOff, ldc, true);
  for (let k0 = 0; k0 < K; k0 += chunk) {
    const kc = Math.min(chunk, K - k0);
    gemm(M, N, kc, columns(A, M, K, k0, kc), 0, columns(Bt, N, K, k0, kc), 0, C, cOff, ldc, true);
  }
}

function gemmLayer(l: GemmLayer, x: ArrayLike<number>): Codes {
  const w = Float32Array.from(l.weight);
  const maxProduct = maxAbs(x) * maxAbs(l.weight);
  const acc = new Float64Array(l.m * l.n);
  const c = l.conv;
  if (!c) {
    exactProduct(l.m, l.n, l.k, Float32Array.from(x), w, acc, 0, l.n, maxProduct);
    return Int32Array.from(acc, (v, i) => requantizeChannel(l, v, i % l.n));
  }
  // per image and group: C[Kg, P·Q] = W_g [Kg, k] · colT [P·Q, k]ᵀ, straight into NCHW
  const d: Conv2d = { N: c.n, C: c.c, K: c.k, G: c.group, H: c.h, W: c.w, P: c.p, Q: c.q, R: c.kh, S: c.kw, sh: c.sh, sw: c.sw, dh: c.dh, dw: c.dw, padT: c.padTop, padL: c.padLeft };
  const cg = c.c / c.group, kg = c.k / c.group, pq = c.p * c.q;
  const col = new Float32Array(pq * l.k);
  for (let img = 0; img < c.n; img++)
    for (let g = 0; g < c.group; g++) {
      im2colT(x, (img * c.c + g * cg) * c.h * c.w, cg, d, col);
      exactProduct(kg, pq, l.k, w.subarray(g * kg * l.k, (g + 1) * kg * l.k), col, acc, (img * c.k + g * kg) * pq, pq, maxProduct);
    }
  return Int32Array.from(acc, (v, i) => requantizeChannel(l, v, Math.floor(i / pq) % c.k));
}

function add(l: AddLayer, a: ArrayLike<number>, b: ArrayLike<number> | undefined): Codes {
  if (l.multipliers) {
    // codes within ±2^16 times 31-bit multipliers: each product below 2^47, the sum below 2^48
    const [ma, mb] = l.multipliers;
    return Int32Array.from(a, (v, i) => clamp(shiftRound(v * ma + (b ? b[i]! * mb : 0), l.shift), l.bounds));
  }
  const round = l.shift > 0 ? 2 ** (l.shift - 1) : 0;
  return Int32Array.from(a, (v, i) => requantize(v * 2 ** l.la + (b ? b[i]! * 2 ** l.lb : 0) + round, l.shift, l.bounds));
}

function maxPool(l: MaxPoolLayer, x: ArrayLike<number>): Codes {
  const g = l.pool;
  const out = new Int32Array(g.n * g.c * g.p * g.q);
  for (let nc = 0; nc < g.n * g.c; nc++)
    for (let p = 0; p < g.p; p++)
      for (let q = 0; q < g.q; q++) {
        let best = -Infinity;
        for (let i = 0; i < g.kh; i++)
          for (let j = 0; j < g.kw; j++) {
            const at = windowInput(g, nc, p, q, i, j);
            if (at >= 0) best = Math.max(best, x[at]!);
          }
        out[(nc * g.p + p) * g.q + q] = best;
      }
  return out;
}

/** One integer layer on its inputs' codes (in the layer's input order). */
export function referenceLayer(l: Exclude<QLayer, { kind: 'host' }>, inputs: ArrayLike<number>[]): Codes {
  if (l.kind === 'gemm') return gemmLayer(l, inputs[0]!);
  if (l.kind === 'add') return add(l, inputs[0]!, inputs[1]);
  return maxPool(l, inputs[0]!);
}
