import type { AluOp, Insn, Uop } from './isa.js';
import { aluInsn, finishInsn, gemmInsn, memInsn, type VtaDram, type VtaProgram } from './program.js';
import { chooseTiles, gemmBlocks, type DenseShape, type DenseSchedule, type GemmTiles } from './tiling.js';
import type { VtaTarget } from './spec.js';

export type { DenseShape, DenseSchedule } from './tiling.js';

/** Per-output-channel int32 vectors applied by the ALU after the GEMM, in order: `add` (bias) or `shr` (shift amounts). */
export type ChannelOp = 'add' | 'shr';

export interface DenseOptions {
  /** Per-channel ALU ops, each reading its own n-element vector (held in the accumulator region of DRAM, in this order). */
  channelOps?: readonly ChannelOp[];
  /** ALU ops with an immediate applied to each output tile after the channel ops (e.g. max 0, then min 127). */
  epilogue?: readonly { op: AluOp; imm: number }[];
}

export interface DenseLowering {
  program: VtaProgram;
  uops: Uop[];
  tiles: GemmTiles;
  /** Output tiles (row tile × output-channel tile) and GEMM steps (one per tile and reduction tile). */
  outputTiles: number;
  steps: number;
}

/**
 * Lowers C = A·Wᵀ (int8 × int8 → int32, then the ALU epilogue, stored as
 * int8) to a VTA program tiled over rows, output channels and the reduction
 * (`tiling.ts` picks the tile sizes). Each output tile is reset, then one
 * GEMM per reduction tile accumulates an input tile against a weight tile;
 * the per-channel vectors (bias, shifts) and the epilogue run on the ALU and
 * the tile is stored. Weights that fit whole are loaded once; otherwise each
 * step loads its weight tile, except that with a single reduction tile the
 * operand of the outer loop (inputs in row order, weights in channel order)
 * is loaded once per outer index and stays on chip. With two virtual
 * threads, steps alternate buffer halves (inputs, weights, accumulators) so
 * that one step's loads overlap the other's compute; dependency tokens
 * order every reuse of a half:
 *  - a step's loads pop compute's token of the last step that read a half they overwrite (pushed by that step);
 *  - compute pops load's token of its step (when it loads), and store's token of tile t − vt before resetting an accumulator half;
 *  - store pops compute's token of its tile.
 */
export function lowerDense(t: VtaTarget, shape: DenseShape, schedule: DenseSchedule = {}, options: DenseOptions = {}): DenseLowering {
  const channelOps = options.channelOps ?? [];
  const tiles = chooseTiles(t, shape, schedule, channelOps.length);
  const { rows, kb, nb } = gemmBlocks(t, shape);
  const { tileRows, tileN, tileK, virtualThreads: vt, inpHalf, wgtHalf, accHalf, chanBase, weightsResident } = tiles;
  const rowTiles = Math.ceil(rows / tileRows);
  const nTiles = Math.ceil(nb / tileN);
  const kTiles = Math.ceil(kb / tileK);

  // Micro-ops: per accumulator half one accumulator micro-op (reset, immediate ALU ops) and, per output-channel tile,
  // one per channel op; then tileK multiply micro-ops per (accumulator, input, weight) half triple in use.
  const uops: Uop[] = [];
  const accBase = (ha: number) => ha * (1 + nTiles * channelOps.length);
  for (let ha = 0; ha < vt; ha++) {
    uops.push({ dst: ha * accHalf, src: ha * accHalf, wgt: 0 });
    for (let nt = 0; nt < nTiles; nt++) channelOps.forEach((_, c) => uops.push({ dst: ha * accHalf, src: chanBase + c * nb + nt * tileN, wgt: 0 }));
  }
  const kernels = new Map<string, number>();
  const gemmBase = (ha: number, ih: number, wh: number): number => {
    const key = `${ha},${ih},${wh}`;
    if (!kernels.has(key)) {
      kernels.set(key, uops.length);
      for (let k = 0; k < tileK; k++) uops.push({ dst: ha * accHalf, src: ih * inpHalf + k, wgt: wh * wgtHalf + k });
    }
    return kernels.get(key)!;
  };

  // The step sequence: output tiles in the loop order, each split over the reduction. With one reduction tile, the
  // outer axis's operand (inputs for row order, weights for channel order) stays on chip across the inner axis.
  const outputTiles = rowTiles * nTiles;
  const order = tiles.order;
  const tileAt = (i: number) => (order === 'rows' ? { rt: Math.floor(i / nTiles), nt: i % nTiles } : { rt: i % rowTiles, nt: Math.floor(i / rowTiles) });
  const reuseInputs = kTiles === 1 && order === 'rows';
  const reuseWeights = kTiles === 1 && order === 'channels' && !weightsResident;

  const insns: Insn[] = [];
  if (channelOps.length) insns.push(memInsn('load', 'acc', chanBase, 0, 1, channelOps.length * nb));
  const lastCompute: Insn[] = [];
  const lastRead = new Map<string, number>();
  let waited = -1;
  let g = 0;
  for (let tile = 0; tile < outputTiles; tile++) {
    const { rt, nt } = tileAt(tile);
    const r0 = rt * tileRows, r = Math.min(tileRows, rows - r0);
    const n0 = nt * tileN, n = Math.min(tileN, nb - n0);
    const ha = tile % vt;
    const u0 = accBase(ha);
    const accUop = { uopBegin: u0, uopEnd: u0 + 1 };
    const accLoop = { iterOut: r * n, dstFactorOut: 1, srcFactorOut: 1 };
    for (let kt = 0; kt < kTiles; kt++, g++) {
      const k0 = kt * tileK, k = Math.min(tileK, kb - k0);
      // which half each operand uses, and whether this step loads it
      const ih = reuseInputs ? rt % vt : g % vt;
      const wh = weightsResident ? 0 : reuseWeights ? nt % vt : g % vt;
      const loads: Insn[] = [];
      if (!reuseInputs || (tile === 0 || tileAt(tile - 1).rt !== rt)) loads.push(memInsn('load', 'inp', ih * inpHalf, r0 * kb + k0, r, k, kb));
      if (weightsResident ? g === 0 : !reuseWeights || tile === 0 || tileAt(tile - 1).nt !== nt) {
        loads.push(weightsResident ? memInsn('load', 'wgt', 0, 0, nb, kb, kb) : memInsn('load', 'wgt', wh * wgtHalf, n0 * kb + k0, n, k, kb));
      }
      const regions = [`inp${ih}`, weightsResident ? 'wgt' : `wgt${wh}`];
      if (loads.length) {
        // wait for the last compute step that read a half these loads overwrite (one token per compute step, in order)
        const wait = Math.max(-1, ...loads.map((l) => lastRead.get(l.op === 'load' && l.mem === 'inp' ? regions[0]! : regions[1]!) ?? -1));
        if (wait > waited) {
          loads[0]!.popNext = true;
          lastCompute[wait]!.pushPrev = true;
          waited = wait;
        }
        loads[loads.length - 1]!.pushNext = true;
        insns.push(...loads);
      }
      regions.forEach((name) => lastRead.set(name, g));
      const stepInsns: Insn[] = [];
      const uh = gemmBase(ha, ih, wh);
      if (kt === 0) stepInsns.push(gemmInsn({ reset: true, ...accUop, ...accLoop }, { popNext: tile >= vt }));
      stepInsns.push(gemmInsn({ uopBegin: uh, uopEnd: uh + k, iterOut: r, dstFactorOut: n, srcFactorOut: k, iterIn: n, dstFactorIn: 1, wgtFactorIn: k }));
      stepInsns[0]!.popPrev = loads.length > 0;
      if (kt === kTiles - 1) {
        channelOps.forEach((op, c) => {
          const at = u0 + 1 + nt * channelOps.length + c;
          stepInsns.push(aluInsn({ aluOp: op, uopBegin: at, uopEnd: at + 1, iterOut: r, dstFactorOut: n, iterIn: n, dstFactorIn: 1, srcFactorIn: 1 }));
        });
        for (const e of options.epilogue ?? []) stepInsns.push(aluInsn({ aluOp: e.op, useImm: true, imm: e.imm, ...accUop, ...accLoop }));
        stepInsns[stepInsns.length - 1]!.pushNext = true;
      }
      lastCompute.push(stepInsns[stepInsns.length - 1]!);
      insns.push(...stepInsns);
    }
    insns.push(memInsn('store', 'out', ha * accHalf, r0 * nb + n0, r, n, nb, { popPrev: true, pushPrev: tile + vt < outputTiles || tile === outputTiles - 1 }));
  }
  insns.push(finishInsn({ popNext: true }));
  insns.unshift(memInsn('load', 'uop', 0, 0, 1, uops.length));
  return { program: { insns }, uops, tiles, outputTiles, steps: g };
}

/** DRAM for a lowered dense layer: A (m×k) and W (n×k) row-major int8, packed into VTA's blocked layout; per-channel vectors (one n-vector per channel op) broadcast over the batch. */
export function packDense(t: VtaTarget, shape: DenseShape, lowering: DenseLowering, a: ArrayLike<number>, w: ArrayLike<number>, channelVectors: readonly ArrayLike<number>[] = []): VtaDram {
  const { kb } = gemmBlocks(t, shape);
  const { batch: B, blockIn: BI, blockOut: BO } = t;
  const inp = new Int8Array(shape.m * shape.k);
  for (let m = 0; m < shape.m; m++)
    for (let k = 0; k < shape.k; k++) inp[((Math.floor(m / B) * kb + Math.floor(k / BI)) * B + (m % B)) * BI + (k % BI)] = a[m * shape.k + k]!;
  const wgt = new Int8Array(shape.n * shape.k);
  for (let n = 0; n < shape.n; n++)
    for (let k = 0; k < shape.k; k++) wgt[((Math.floor(n / BO) * kb + Math.floor(k / BI)) * BO + (n % BO)) * BI + (k % BI)] = w[n * shape.k + k]!;
  const acc = new Int32Array(channelVectors.length * shape.n * B);
  channelVectors.forEach((v, c) => {
    for (let n = 0; n < shape.n; n++) for (let b = 0; b < B; b++) acc[((c * shape.n) / BO + Math.floor(n / BO)) * B * BO + b * BO + (n % BO)] = v[n]!;
  });
  return { inp, wgt, acc, uop: lowering.uops, out: new Int8Array(shape.m * shape.n) };
}

/** The m×n int8 result, row-major, from the output region. */
export function unpackDense(t: VtaTarget, shape: DenseShape, out: Int8Array): Int8Array {
  const { nb } = gemmBlocks(t, shape);
  const { batch: B, blockOut: BO } = t;
  const c = new Int8Array(shape.m * shape.n);
  for (let m = 0; m < shape.m; m++)
    for (let n = 0; n < shape.n; n++) c[m * shape.n + n] = out[((Math.floor(m / B) * nb + Math.floor(n / BO)) * B + (m % B)) * BO + (n % BO)]!;
  return c;
}
