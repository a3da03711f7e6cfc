import { AccelmapError } from '../../util/errors.js';
import { lowerDense, packDense, unpackDense, type DenseShape } from './dense.js';
import type { Uop } from './isa.js';
import type { VtaDram, VtaProgram } from './program.js';
import { windowInput, type AddLayer, type Bounds, type GemmLayer, type MaxPoolLayer, type QLayer } from '../../quantize/integer/graph.js';
import { QMAX } from './qgraph.js';
import type { VtaTarget } from './spec.js';
import type { DenseSchedule, GemmTiles } from './tiling.js';
import { lowerVector, packVector, type VectorLayer, type VectorOp, type VectorSchedule } from './vector.js';

/** A layer VTA runs (not a host op). */
export type VtaLayer = Exclude<QLayer, { kind: 'host' }>;

/**
 * Where a GEMM layer's activation (its ReLU or clip bounds) runs: `fused`
 * in the GEMM's epilogue on each output tile while it is on chip, or
 * `separate`: the GEMM pass saturates to ±127 and stores, and an ALU pass
 * loads the stored codes back and applies the bounds (bit-identical, as
 * clamping to ±127 and then to [lo, hi] within it equals clamping to [lo, hi]).
 */
export type EpiloguePlace = 'fused' | 'separate';

/** The knobs of either kind of layer; those that do not apply are ignored. */
export type LayerSchedule = DenseSchedule & VectorSchedule & { epilogue?: EpiloguePlace };

/** One program of a layer and what it needs to run: the DRAM image is built from the pass's int8 inputs. */
export interface LoweredPass {
  program: VtaProgram;
  uops: Uop[];
  /** DRAM before the run, from the inputs' codes. */
  dram(inputs: Int8Array[]): VtaDram;
  /** The output's codes (the graph tensor's layout) from DRAM after the run. */
  output(out: Int8Array): Int8Array;
  /** Output elements. */
  elements: number;
}

/** A layer's passes, run one after another: the first reads the layer's inputs, each later one the previous pass's output. */
export interface LoweredLayer {
  passes: LoweredPass[];
  /** The schedule as chosen (every knob filled in). */
  schedule: LayerSchedule;
}

/** Whether a GEMM layer has an activation that can run apart from its epilogue (bounds narrower than ±127). */
export const hasActivation = (b: Bounds): boolean => b.lo !== -QMAX || b.hi !== QMAX;

const roundUp = (v: number, b: number) => Math.ceil(v / b) * b;

/** The GEMM a convolution or dense layer becomes: rows, reduction and outputs padded to whole blocks. */
export function gemmShape(t: VtaTarget, l: GemmLayer): DenseShape {
  return { m: roundUp(l.m, t.batch), k: roundUp(l.k, t.blockIn), n: roundUp(l.n, t.blockOut) };
}

/** The element-wise form of an add, a lone ReLU or a max pool. */
export function vectorForm(t: VtaTarget, l: AddLayer | MaxPoolLayer, elements: number): VectorLayer {
  const vectors = Math.ceil(elements / (t.batch * t.blockOut));
  if (l.kind === 'maxpool') {
    const win = l.pool.kh * l.pool.kw;
    return { vectors, operands: win, ops: Array.from({ length: win - 1 }, (_, j): VectorOp => ({ op: 'max', from: j + 1 })) };
  }
  const ops: VectorOp[] = [];
  const two = l.inputs.length === 2;
  if (l.la > 0) ops.push({ op: 'shr', imm: -l.la });
  if (two && l.lb > 0) ops.push({ op: 'shr', imm: -l.lb, on: 1 });
  if (two) ops.push({ op: 'add', from: 1 });
  if (l.shift > 0) ops.push({ op: 'add', imm: 2 ** (l.shift - 1) });
  if (l.shift !== 0) ops.push({ op: 'shr', imm: l.shift });
  ops.push(...clipOps(l.bounds));
  return { vectors, operands: two ? 2 : 1, ops };
}

/** The ALU ops that clamp to a layer's code bounds: one symmetric clip when they are ±127, else max then min. */
export function clipOps(b: Bounds): { op: 'max' | 'min' | 'clip'; imm: number }[] {
  return b.lo === -QMAX && b.hi === QMAX ? [{ op: 'clip', imm: QMAX }] : [{ op: 'max', imm: b.lo }, { op: 'min', imm: b.hi }];
}

/** im2col rows of a convolution (or the input itself for a dense layer), padded to the GEMM's blocks. */
function gemmRows(l: GemmLayer, shape: DenseShape, x: Int8Array): Int8Array {
  const a = new Int8Array(shape.m * shape.k);
  const c = l.conv;
  if (!c) {
    for (let m = 0; m < l.m; m++) a.set(x.subarray(m * l.k, (m + 1) * l.k), m * shape.k);
    return a;
  }
  for (let b = 0; b < c.n; b++)
    for (let p = 0; p < c.p; p++)
      for (let q = 0; q < c.q; q++) {
        const row = ((b * c.p + p) * c.q + q) * shape.k;
        for (let ch = 0; ch < c.c; ch++)
          for (let i = 0; i < c.kh; i++)
            for (let j = 0; j < c.kw; j++) {
              const at = windowInput(c, b * c.c + ch, p, q, i, j);
              if (at >= 0) a[row + (ch * c.kh + i) * c.kw + j] = x[at]!;
            }
      }
  return a;
}

function lowerGemm(t: VtaTarget, l: GemmLayer, s: LayerSchedule): LoweredLayer {
  const shape = gemmShape(t, l);
  const epilogue = s.epilogue ?? 'fused';
  if (epilogue === 'separate' && !hasActivation(l.bounds)) throw new AccelmapError('bad-input', 'epilogue = separate: the layer has no activation to run apart (its bounds are ±127)', { path: 'epilogue' }, 'use epilogue = fused');
  const apart = epilogue === 'separate';
  const lowering = lowerDense(t, shape, s, { channelOps: ['add', 'shr'], epilogue: clipOps(apart ? { lo: -QMAX, hi: QMAX } : l.bounds) });
  const w = new Int8Array(shape.n * shape.k);
  for (let n = 0; n < l.n; n++) w.set(l.weight.subarray(n * l.k, (n + 1) * l.k), n * shape.k);
  const pad = (v: Int32Array) => Int32Array.from({ length: shape.n }, (_, i) => v[i] ?? 0);
  const { tileRows, tileN, tileK, virtualThreads, order }: GemmTiles = lowering.tiles;
  const gemm: LoweredPass = {
    program: lowering.program,
    uops: lowering.uops,
    elements: l.m * l.n,
    dram: ([x]) => packDense(t, shape, lowering, gemmRows(l, shape, x!), w, [pad(l.bias), pad(l.shift)]),
    output: (out) => {
      const c = unpackDense(t, shape, out);
      const y = new Int8Array(l.m * l.n);
      const pq = l.conv ? l.conv.p * l.conv.q : 1;
      for (let m = 0; m < l.m; m++)
        for (let n = 0; n < l.n; n++) y[l.conv ? (Math.floor(m / pq) * l.n + n) * pq + (m % pq) : m * l.n + n] = c[m * shape.n + n]!;
      return y;
    },
  };
  const schedule: LayerSchedule = { tileRows, tileN, tileK, virtualThreads, order, ...(hasActivation(l.bounds) ? { epilogue } : {}) };
  if (!apart) return { passes: [gemm], schedule };
  const form: VectorLayer = { vectors: Math.ceil(gemm.elements / (t.batch * t.blockOut)), operands: 1, ops: clipOps(l.bounds) };
  return { passes: [gemm, vectorPass(t, form, gemm.elements, {}, (inputs) => inputs)], schedule };
}

function vectorPass(t: VtaTarget, form: VectorLayer, elements: number, s: VectorSchedule, operands: (inputs: Int8Array[]) => Int8Array[]): LoweredPass & { tileVectors: number } {
  const lowering = lowerVector(t, form, s);
  return {
    program: lowering.program,
    uops: lowering.uops,
    elements,
    tileVectors: lowering.tileVectors,
    dram: (inputs) => packVector(t, form, lowering, operands(inputs)),
    output: (out) => out.slice(0, elements),
  };
}

/** A max pool's window elements, one operand per window position, each over the output's elements (NCHW); outside the input, −128. */
function poolOperands(l: MaxPoolLayer, x: Int8Array): Int8Array[] {
  const g = l.pool;
  return Array.from({ length: g.kh * g.kw }, (_, w) => {
    const i = Math.floor(w / g.kw), j = w % g.kw;
    const op = new Int8Array(g.n * g.c * g.p * g.q).fill(-128);
    for (let nc = 0; nc < g.n * g.c; nc++)
      for (let p = 0; p < g.p; p++)
        for (let q = 0; q < g.q; q++) {
          const at = windowInput(g, nc, p, q, i, j);
          if (at >= 0) op[(nc * g.p + p) * g.q + q] = x[at]!;
        }
    return op;
  });
}

/** Lowers one layer under a schedule (knobs left out are chosen by the tiler). */
export function lowerLayer(t: VtaTarget, l: VtaLayer, elements: number, s: LayerSchedule = {}): LoweredLayer {
  if (l.kind === 'gemm') return lowerGemm(t, l, s);
  const { tileVectors, ...pass } = vectorPass(t, vectorForm(t, l, elements), elements, s, (inputs) => (l.kind === 'maxpool' ? poolOperands(l, inputs[0]!) : inputs));
  return { passes: [pass], schedule: { tileVectors, virtualThreads: s.virtualThreads ?? 1 } };
}
