import { AccelmapError } from '../../util/errors.js';
import type { AluOp, Insn, Uop } from './isa.js';
import { aluInsn, finishInsn, memInsn, type VtaDram, type VtaProgram } from './program.js';
import { bufferDepths, type VtaTarget } from './spec.js';

/** An ALU op on operand `on` with an immediate, or combining operand `from` into operand 0 (`acc[0] = op(acc[0], acc[from])`). */
export type VectorOp = { op: AluOp; imm: number; on?: number } | { op: AluOp; from: number };

/** An element-wise layer on the ALU alone: `operands` int32 vectors per output vector (an add's two inputs, a pooling window's elements), the ops, the result operand 0 stored as int8. */
export interface VectorLayer {
  /** Output vectors (each BATCH × BLOCK_OUT lanes). */
  vectors: number;
  operands: number;
  ops: readonly VectorOp[];
}

export interface VectorSchedule {
  /** Output vectors per tile (default: the most that fit). */
  tileVectors?: number;
  virtualThreads?: 1 | 2;
}

export interface VectorLowering {
  program: VtaProgram;
  uops: Uop[];
  tileVectors: number;
  tiles: number;
}

/** The most output vectors a tile can hold: every operand in one accumulator half, within the 14-bit loop count. */
export function maxTileVectors(t: VtaTarget, layer: VectorLayer, vt: number): number {
  return Math.min(Math.floor(Math.floor(bufferDepths(t).acc / vt) / layer.operands), layer.vectors, 2 ** 14 - 1);
}

/**
 * Lowers an element-wise layer: per tile, each operand's vectors are loaded
 * into the accumulator buffer (operand j at j·tileVectors, so that one
 * micro-op per op serves every tile), the ALU ops run over the tile and
 * operand 0 is stored. Accumulator loads and the ALU share the compute
 * module, so two virtual threads overlap only the store of one tile with
 * the next; the store module's token guards each half's reuse.
 */
export function lowerVector(t: VtaTarget, layer: VectorLayer, schedule: VectorSchedule = {}): VectorLowering {
  const vt = schedule.virtualThreads ?? 1;
  const half = Math.floor(bufferDepths(t).acc / vt);
  const maxTile = maxTileVectors(t, layer, vt);
  if (maxTile < 1) throw new AccelmapError('unsupported', `${layer.operands} operand vectors do not fit an accumulator buffer half of ${half}`, { path: 'operands' }, 'use one virtual thread');
  const tileVectors = schedule.tileVectors ?? maxTile;
  if (!Number.isInteger(tileVectors) || tileVectors < 1 || tileVectors > maxTile) throw new AccelmapError('bad-input', `tileVectors = ${tileVectors} does not fit (at most ${maxTile})`, { path: 'tileVectors' });
  const tiles = Math.ceil(layer.vectors / tileVectors);
  const uops: Uop[] = [];
  const opUop: number[][] = [];
  for (let h = 0; h < vt; h++) {
    const base = h * half;
    opUop.push(layer.ops.map((o) => uops.push('from' in o ? { dst: base, src: base + o.from * tileVectors, wgt: 0 } : { dst: base + (o.on ?? 0) * tileVectors, src: base, wgt: 0 }) - 1));
  }
  const insns: Insn[] = [memInsn('load', 'uop', 0, 0, 1, uops.length)];
  for (let tile = 0; tile < tiles; tile++) {
    const h = tile % vt;
    const v0 = tile * tileVectors;
    const v = Math.min(tileVectors, layer.vectors - v0);
    const step: Insn[] = [];
    for (let j = 0; j < layer.operands; j++) step.push(memInsn('load', 'acc', h * half + j * tileVectors, j * layer.vectors + v0, 1, v));
    step[0]!.popNext = tile >= vt;
    layer.ops.forEach((o, k) => {
      const u = opUop[h]![k]!;
      step.push(aluInsn({ aluOp: o.op, useImm: !('from' in o), imm: 'from' in o ? 0 : o.imm, uopBegin: u, uopEnd: u + 1, iterOut: v, dstFactorOut: 1, srcFactorOut: 1 }));
    });
    step[step.length - 1]!.pushNext = true;
    insns.push(...step, memInsn('store', 'out', h * half, v0, 1, v, v, { popPrev: true, pushPrev: tile + vt < tiles || tile === tiles - 1 }));
  }
  insns.push(finishInsn({ popNext: true }));
  return { program: { insns }, uops, tileVectors, tiles };
}

/** DRAM for an element-wise layer: each operand's lanes (int32, operand-major, zero-padded to whole vectors). */
export function packVector(t: VtaTarget, layer: VectorLayer, lowering: VectorLowering, operands: readonly ArrayLike<number>[]): VtaDram {
  const lanes = t.batch * t.blockOut;
  const acc = new Int32Array(layer.operands * layer.vectors * lanes);
  operands.forEach((o, j) => {
    for (let i = 0; i < o.length; i++) acc[j * layer.vectors * lanes + i] = o[i]!;
  });
  return { inp: new Int8Array(0), wgt: new Int8Array(0), acc, uop: lowering.uops, out: new Int8Array(layer.vectors * lanes) };
}
