import type { AddLayer, GemmLayer, MaxPoolLayer, QLayer } from './qgraph.js';
import { windowInput, type Bounds } from './qgraph.js';

/**
 * The integer reference for the layers VTA runs, written straight from
 * their definitions (qgraph.ts), with no tiling, blocking or im2col: a
 * convolution is the direct seven-deep loop. Accumulators wrap at 32 bits;
 * a shift s ≥ 0 divides by 2^s rounding down, s < 0 multiplies.
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
  for (let b = 0; b < c.n; b++)
    for (let o = 0; o < c.k; o++)
      for (let p = 0; p < c.p; p++)
        for (let q = 0; q < c.q; q++) {
          let acc = 0;
          for (let ch = 0; ch < c.c; ch++)
            for (let i = 0; i < c.kh; i++)
              for (let j = 0; j < c.kw; j++) {
                const at = windowInput(c, b * c.c + ch, p, q, i, j);
                if (at >= 0) acc += x[at]! * l.weight[o * l.k + (ch * c.kh + i) * c.kw + j]!;
              }
          out[((b * c.k + o) * c.p + p) * c.q + q] = requantize((acc + l.bias[o]!) | 0, l.shift[o]!, l.bounds);
        }
  return out;
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
