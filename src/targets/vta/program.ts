import type { AluInsn, DepFlags, FinishInsn, GemmInsn, Insn, MemId, MemInsn, Uop } from './isa.js';

/**
 * A VTA program: one instruction stream (each instruction goes to the module
 * that runs it, keeping stream order within a module) and the DRAM it works
 * on, as one region per buffer kind addressed by element (docs/vta-isa.md).
 */
export interface VtaProgram {
  insns: Insn[];
}

/** DRAM regions: int8 input vectors, int8 weight blocks, int32 accumulator vectors, micro-ops, int8 output vectors (row-major elements). */
export interface VtaDram {
  inp: Int8Array;
  wgt: Int8Array;
  acc: Int32Array;
  uop: Uop[];
  out: Int8Array;
}

export type ModuleName = 'load' | 'compute' | 'store';
export const MODULES: readonly ModuleName[] = ['load', 'compute', 'store'];

/** The module that runs an instruction (VTA: input and weight loads on load; micro-op and accumulator loads, GEMM, ALU and FINISH on compute). */
export function moduleOf(insn: Insn): ModuleName {
  if (insn.op === 'store') return 'store';
  if (insn.op === 'load' && (insn.mem === 'inp' || insn.mem === 'wgt')) return 'load';
  return 'compute';
}

const NO_DEPS: DepFlags = { popPrev: false, popNext: false, pushPrev: false, pushNext: false };

/** A dense 2-D copy of `ySize × xSize` elements with no padding, rows `xStride` apart in DRAM. */
export function memInsn(op: 'load' | 'store', mem: MemId, sramBase: number, dramBase: number, ySize: number, xSize: number, xStride = xSize, deps: Partial<DepFlags> = {}): MemInsn {
  return { op, mem, sramBase, dramBase, ySize, xSize, xStride, yPad0: 0, yPad1: 0, xPad0: 0, xPad1: 0, ...NO_DEPS, ...deps };
}

export type LoopSpec = Omit<GemmInsn, 'op' | keyof DepFlags>;

export function gemmInsn(loop: Partial<LoopSpec> & Pick<LoopSpec, 'uopBegin' | 'uopEnd'>, deps: Partial<DepFlags> = {}): GemmInsn {
  return { op: 'gemm', reset: false, iterOut: 1, iterIn: 1, dstFactorOut: 0, dstFactorIn: 0, srcFactorOut: 0, srcFactorIn: 0, wgtFactorOut: 0, wgtFactorIn: 0, ...loop, ...NO_DEPS, ...deps };
}

export function aluInsn(loop: Partial<Omit<AluInsn, 'op' | keyof DepFlags>> & Pick<AluInsn, 'uopBegin' | 'uopEnd' | 'aluOp'>, deps: Partial<DepFlags> = {}): AluInsn {
  return { op: 'alu', reset: false, iterOut: 1, iterIn: 1, dstFactorOut: 0, dstFactorIn: 0, srcFactorOut: 0, srcFactorIn: 0, useImm: false, imm: 0, ...loop, ...NO_DEPS, ...deps };
}

export function finishInsn(deps: Partial<DepFlags> = {}): FinishInsn {
  return { op: 'finish', ...NO_DEPS, ...deps };
}
