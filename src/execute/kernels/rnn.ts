import type { RnnAttrs } from '../../workload/ops/rnn.js';
import { gemm } from '../gemm.js';
import { defineKernel, input, unsupported, type Kernel, type KernelCall } from '../kernel.js';
import { alloc, type Value } from '../value.js';

/**
 * LSTM (gates i, o, f, c; optional peepholes P = i, o, f), GRU (gates z, r,
 * h; linear_before_reset either way) and RNN with ONNX's default
 * activations (sigmoid for gates, tanh otherwise), optional biases, initial
 * states and per-batch sequence lengths (steps past a row's length leave its
 * state and write zeros). The input projection of all steps is one matrix
 * product per direction; each step adds the recurrent product.
 */
type Cell = 'LSTM' | 'GRU' | 'RNN';
const GATES: Record<Cell, number> = { LSTM: 4, GRU: 3, RNN: 1 };
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function recurrent(cell: Cell) {
  return (call: KernelCall<RnnAttrs>): Value[] => {
    const a = call.attrs;
    if (a.training_mode) throw unsupported(call, 'training mode');
    const x = input(call, 0), w = input(call, 1), r = input(call, 2);
    const [bias, seqLens, h0] = [call.inputs[3], call.inputs[4], call.inputs[5]];
    const c0 = cell === 'LSTM' ? call.inputs[6] : undefined;
    const peep = cell === 'LSTM' ? call.inputs[7] : undefined;
    const layout = a.layout;
    const [T, B, I] = layout ? [x.shape[1]!, x.shape[0]!, x.shape[2]!] : [x.shape[0]!, x.shape[1]!, x.shape[2]!];
    const dirs = a.direction === 'bidirectional' ? 2 : 1;
    const G = GATES[cell], H = r.shape[2]!, GH = G * H;
    const outs = call.outputs.map((t) => alloc(t.shape, t.dtype));
    const [y, yh, yc] = outs.map((v, i) => (call.node.outputs[i] ? v : undefined));
    // time-major rows of X: row t·B + b
    const xs = new Float32Array(T * B * I);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
      const src = layout ? (b * T + t) * I : (t * B + b) * I;
      xs.set(x.data.subarray(src, src + I), (t * B + b) * I);
    }
    const yAt = (t: number, d: number, b: number) => (layout ? ((b * T + t) * dirs + d) * H : ((t * dirs + d) * B + b) * H);
    const stateAt = (d: number, b: number) => (layout ? (b * dirs + d) * H : (d * B + b) * H);
    const xw = new Float32Array(T * B * GH);
    const rh = new Float32Array(B * GH);
    const h = new Float32Array(B * H), c = new Float32Array(B * H), rH = new Float32Array(B * H);
    for (let d = 0; d < dirs; d++) {
      const reverse = a.direction === 'reverse' || d === 1;
      gemm(T * B, GH, I, xs, 0, w.data, d * GH * I, xw, 0, GH, false);
      const wb = (g: number, j: number) => (bias ? bias.data[d * 2 * GH + g * H + j]! : 0);
      const rb = (g: number, j: number) => (bias ? bias.data[d * 2 * GH + GH + g * H + j]! : 0);
      for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
        h[b * H + j] = h0 ? h0.data[stateAt(d, b) + j]! : 0;
        c[b * H + j] = c0 ? c0.data[stateAt(d, b) + j]! : 0;
      }
      const rOff = d * GH * H;
      for (let s = 0; s < T; s++) {
        gemm(B, cell === 'GRU' && !a.linear_before_reset ? 2 * H : GH, H, h, 0, r.data, rOff, rh, 0, GH, false);
        for (let b = 0; b < B; b++) {
          const len = seqLens ? seqLens.data[b]! : T;
          if (s >= len) continue;
          const t = reverse ? len - 1 - s : s;
          const xo = (t * B + b) * GH, ro = b * GH, ho = b * H;
          if (cell === 'LSTM') {
            for (let j = 0; j < H; j++) {
              const pre = (g: number) => xw[xo + g * H + j]! + rh[ro + g * H + j]! + wb(g, j) + rb(g, j);
              const cPrev = c[ho + j]!;
              const pi = peep ? peep.data[d * 3 * H + j]! : 0, po = peep ? peep.data[d * 3 * H + H + j]! : 0, pf = peep ? peep.data[d * 3 * H + 2 * H + j]! : 0;
              const ig = sigmoid(pre(0) + pi * cPrev), fg = sigmoid(pre(2) + pf * cPrev), cg = Math.tanh(pre(3));
              const cNew = fg * cPrev + ig * cg;
              const og = sigmoid(pre(1) + po * cNew);
              c[ho + j] = cNew;
              h[ho + j] = og * Math.tanh(cNew);
            }
          } else if (cell === 'GRU') {
            const zs = new Float32Array(H);
            for (let j = 0; j < H; j++) {
              zs[j] = sigmoid(xw[xo + j]! + rh[ro + j]! + wb(0, j) + rb(0, j));
              const rg = sigmoid(xw[xo + H + j]! + rh[ro + H + j]! + wb(1, j) + rb(1, j));
              rH[ho + j] = a.linear_before_reset ? rg : rg * h[ho + j]!;
            }
            if (!a.linear_before_reset) gemm(1, H, H, rH, ho, r.data, rOff + 2 * H * H, rh, ro + 2 * H, GH, false);
            for (let j = 0; j < H; j++) {
              const rec = a.linear_before_reset ? rH[ho + j]! * (rh[ro + 2 * H + j]! + rb(2, j)) : rh[ro + 2 * H + j]! + rb(2, j);
              const hh = Math.tanh(xw[xo + 2 * H + j]! + rec + wb(2, j));
              h[ho + j] = (1 - zs[j]!) * hh + zs[j]! * h[ho + j]!;
            }
          } else {
            for (let j = 0; j < H; j++) h[ho + j] = Math.tanh(xw[xo + j]! + rh[ro + j]! + wb(0, j) + rb(0, j));
          }
          if (y) y.data.set(h.subarray(ho, ho + H), yAt(t, d, b));
        }
      }
      for (let b = 0; b < B; b++) {
        if (yh) yh.data.set(h.subarray(b * H, (b + 1) * H), stateAt(d, b));
        if (yc) yc.data.set(c.subarray(b * H, (b + 1) * H), stateAt(d, b));
      }
    }
    return outs;
  };
}

export const RNN_KERNELS: Kernel[] = (['LSTM', 'GRU', 'RNN'] as const).map((cell) => defineKernel<RnnAttrs>(cell, recurrent(cell)));
