import { eachTap, type Conv2d } from '../../execute/kernels/conv.js';
import { windowInput, type AddLayer, type Bounds, type GemmLayer, type MaxPoolLayer, type QLayer } from './qgraph.js';

/**
 * The integer reference for the layers VTA runs, written straight from
 * their definitions (qgraph.ts), with no tiling, blocking or im2col: a
 * convolution is the executor's direct walk over every tap (eachTap).
 * Accumulators wrap at 32 bits; a shift s ≥ 0 divides by 2^s rounding down, s < 0 multiplies.
 */

/** Shift, then clamp to the layer's code bounds. */
export function requantize(acc: number, shift: number, b: Bounds): number {
  const y = shift >= 0 ? Math.floor(acc / 2 ** shift) : (acc * 2 ** -shift) | 0;
  return Math.min(b.hi, Math.max(b.lo, y));
}

function gemm(l: GemmLayer, x: Int8Array): Int8Array {
  const out = new Int8Array(l.m * l.n);
  const c = l.conv;
  if (!c) {
    for (let m = 0; m < l.m; m++)
      for (let n = 0; n < l.n; n++) {
        let acc = 0;
        for (let k = 0; k < l.k; k++) acc += x[m * l.k + k]! * l.weight[n * l.k + k]!;
        out[m * l.n + n] = requantize((acc + l.bias[n]!) | 0, l.shift[n]!, l.bounds);
      }
    return out;
  }
  // the executor's direct convolution walk: weights [k, c, kh, kw] are l.weight's rows, outputs NCHW
  const acc = new Int32Array(out.length);
  const d: Conv2d = { N: c.n, C: c.c, K: c.k, G: 1, H: c.h, W: c.w, P: c.p, Q: c.q, R: c.kh, S: c.kw, sh: c.sh, sw: c.sw, dh: c.dh, dw: c.dw, padT: c.padTop, padL: c.padLeft };
  eachTap(d, (xAt, wAt, yAt) => (acc[yAt] += x[xAt]! * l.weight[wAt]!));
  const pq = c.p * c.q;
  return Int8Array.from(acc, (v, i) => {
    const o = Math.floor(i / pq) % c.k;
    return requantize((v + l.bias[o]!) | 0, l.shift[o]!, l.bounds);
  });
}

function add(l: AddLayer, a: Int8Array, b: Int8Array | undefined): Int8Array {
  const round = l.shift > 0 ? 2 ** (l.shift - 1) : 0;
  return Int8Array.from(a, (v, i) => requantize(v * 2 ** l.la + (b ? b[i]! * 2 ** l.lb : 0) + round, l.shift, l.bounds));
}

function maxPool(l: MaxPoolLayer, x: Int8Array): Int8Array {
  const g = l.pool;
  const out = new Int8Array(g.n * g.c * g.p * g.q);
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

/** One VTA layer on int8 codes (inputs in the layer's order), by the reference arithmetic. */
export function referenceLayer(l: Exclude<QLayer, { kind: 'host' }>, inputs: Int8Array[]): Int8Array {
  if (l.kind === 'gemm') return gemm(l, inputs[0]!);
  if (l.kind === 'add') return add(l, inputs[0]!, inputs[1]);
  return maxPool(l, inputs[0]!);
}
