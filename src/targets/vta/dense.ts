import { AccelmapError } from '../../util/errors.js';
import type { AluOp, Insn, Uop } from './isa.js';
import { aluInsn, finishInsn, gemmInsn, memInsn, type VtaDram, type VtaProgram } from './program.js';
import { bufferDepths, type VtaTarget } from './spec.js';

/** C[m][n] = Σ_k A[m][k] · W[n][k] (a dense layer, or a 1×1 convolution over m pixels), int8 × int8 → int32. */
export interface DenseShape {
  m: number;
  k: number;
  n: number;
}

export interface DenseSchedule {
  /** Batch rows (of BATCH vectors) per tile; default the most that fit. */
  tileRows?: number;
  /** 1: one tile at a time; 2: two tiles in flight, each in its half of the input and accumulator buffers. */
  virtualThreads?: 1 | 2;
  /** ALU ops applied with an immediate to each output tile before it is stored (e.g. shr then clip). */
  epilogue?: { op: AluOp; imm: number }[];
}

export interface DenseLowering {
  program: VtaProgram;
  uops: Uop[];
  tileRows: number;
  tiles: number;
}

function blocks(t: VtaTarget, s: DenseShape): { rows: number; kb: number; nb: number } {
  const fits = (v: number, b: number, what: string): number => {
    if (!Number.isInteger(v / b) || v <= 0) throw new AccelmapError('unsupported', `${what} = ${v} is not a positive multiple of ${b}`, { path: what }, 'pad the layer to the block size (not done automatically yet)');
    return v / b;
  };
  return { rows: fits(s.m, t.batch, 'm'), kb: fits(s.k, t.blockIn, 'k'), nb: fits(s.n, t.blockOut, 'n') };
}

/**
 * Lowers a dense layer to a VTA program: the weights are loaded once, the
 * rows are tiled to the input and accumulator buffers, and each tile is
 * loaded, multiplied (a reset GEMM, then one GEMM whose micro-ops walk the
 * input blocks), passed through the ALU epilogue and stored. With two
 * virtual threads consecutive tiles use alternate buffer halves, so that the
 * load of one overlaps the compute of the other; dependency tokens order
 * every reuse of a half.
 */
export function lowerDense(t: VtaTarget, shape: DenseShape, schedule: DenseSchedule = {}): DenseLowering {
  const { rows, kb, nb } = blocks(t, shape);
  const vt = schedule.virtualThreads ?? 1;
  const depth = bufferDepths(t);
  if (kb * nb > depth.weight) throw new AccelmapError('unsupported', `the ${kb * nb} weight blocks exceed the ${depth.weight}-block weight buffer`, { path: 'n' }, 'tiling over the weights is not done yet; split the layer');
  const inpHalf = Math.floor(depth.input / vt);
  const accHalf = Math.floor(depth.acc / vt);
  const maxRows = Math.min(Math.floor(inpHalf / kb), Math.floor(accHalf / nb), rows, 2 ** 14 - 1);
  if (maxRows < 1) throw new AccelmapError('unsupported', `one row of ${kb} input and ${nb} accumulator vectors does not fit a buffer ${vt === 2 ? 'half' : ''}`, { path: 'k' }, 'use fewer virtual threads or split the layer');
  const tileRows = schedule.tileRows ?? maxRows;
  if (!Number.isInteger(tileRows) || tileRows < 1 || tileRows > maxRows) throw new AccelmapError('bad-input', `tile of ${tileRows} rows does not fit (at most ${maxRows})`, { path: 'tileRows' });
  const tiles = Math.ceil(rows / tileRows);

  // Micro-ops per thread: kb multiply micro-ops, then one that addresses an accumulator (reset, ALU).
  const uops: Uop[] = [];
  for (let h = 0; h < vt; h++) {
    for (let k = 0; k < kb; k++) uops.push({ dst: h * accHalf, src: h * inpHalf + k, wgt: k });
    uops.push({ dst: h * accHalf, src: h * accHalf, wgt: 0 });
  }
  const per = kb + 1;
  const insns: Insn[] = [memInsn('load', 'uop', 0, 0, 1, uops.length)];
  for (let j = 0; j < tiles; j++) {
    const h = j % vt;
    const r0 = j * tileRows;
    const r = Math.min(tileRows, rows - r0);
    const reuse = j >= vt;
    const reusedLater = j < tiles - vt;
    insns.push(memInsn('load', 'inp', h * inpHalf, r0 * kb, 1, r * kb, r * kb, { popNext: reuse, pushNext: j > 0 }));
    if (j === 0) insns.push(memInsn('load', 'wgt', 0, 0, 1, kb * nb, kb * nb, { pushNext: true }));
    const u0 = h * per;
    const accLoop = { iterOut: r * nb, dstFactorOut: 1, srcFactorOut: 1 };
    insns.push(gemmInsn({ reset: true, uopBegin: u0 + kb, uopEnd: u0 + kb + 1, ...accLoop }, { popPrev: true, popNext: reuse }));
    insns.push(gemmInsn({ uopBegin: u0, uopEnd: u0 + kb, iterOut: r, dstFactorOut: nb, srcFactorOut: kb, iterIn: nb, dstFactorIn: 1, wgtFactorIn: kb }));
    for (const e of schedule.epilogue ?? []) insns.push(aluInsn({ aluOp: e.op, useImm: true, imm: e.imm, uopBegin: u0 + kb, uopEnd: u0 + kb + 1, ...accLoop }));
    const lastCompute = insns[insns.length - 1]!;
    lastCompute.pushNext = true;
    lastCompute.pushPrev = reusedLater;
    insns.push(memInsn('store', 'out', h * accHalf, r0 * nb, 1, r * nb, r * nb, { popPrev: true, pushPrev: reusedLater || j === tiles - 1 }));
  }
  insns.push(finishInsn({ popNext: true }));
  return { program: { insns }, uops, tileRows, tiles };
}

/** DRAM for a lowered dense layer: A (m×k) and W (n×k) row-major int8, packed into VTA's blocked layout. */
export function packDense(t: VtaTarget, shape: DenseShape, lowering: DenseLowering, a: Int8Array, w: Int8Array): VtaDram {
  const { kb } = blocks(t, shape);
  const { batch: B, blockIn: BI, blockOut: BO } = t;
  const inp = new Int8Array(shape.m * shape.k);
  for (let m = 0; m < shape.m; m++)
    for (let k = 0; k < shape.k; k++) inp[((Math.floor(m / B) * kb + Math.floor(k / BI)) * B + (m % B)) * BI + (k % BI)] = a[m * shape.k + k]!;
  const wgt = new Int8Array(shape.n * shape.k);
  for (let n = 0; n < shape.n; n++)
    for (let k = 0; k < shape.k; k++) wgt[((Math.floor(n / BO) * kb + Math.floor(k / BI)) * BO + (n % BO)) * BI + (k % BI)] = w[n * shape.k + k]!;
  return { inp, wgt, acc: new Int32Array(0), uop: lowering.uops, out: new Int8Array(shape.m * shape.n) };
}

/** The m×n int8 result, row-major, from the output region. */
export function unpackDense(t: VtaTarget, shape: DenseShape, out: Int8Array): Int8Array {
  const { nb } = blocks(t, shape);
  const { batch: B, blockOut: BO } = t;
  const c = new Int8Array(shape.m * shape.n);
  for (let m = 0; m < shape.m; m++)
    for (let n = 0; n < shape.n; n++) c[m * shape.n + n] = out[((Math.floor(m / B) * nb + Math.floor(n / BO)) * B + (m % B)) * BO + (n % BO)]!;
  return c;
}
