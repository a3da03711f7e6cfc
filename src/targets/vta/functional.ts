import type { AluInsn, GemmInsn, MemInsn, Uop } from './isa.js';
import type { VtaDram, VtaProgram } from './program.js';
import { bufferDepths, type VtaTarget } from './spec.js';

/** On-chip state after a run. */
export interface VtaBuffers {
  inp: Int8Array;
  wgt: Int8Array;
  acc: Int32Array;
  uop: Uop[];
}

/**
 * Executes a checked program bit for bit: int8 inputs and weights, int32
 * accumulators with two's-complement wrap, outputs the low 8 bits of the
 * accumulators. Runs the stream in order, which a program that passed
 * `checkProgram` orders the same way as its dependency tokens do.
 * Returns DRAM with the stored outputs (a copy; `dram` is not changed).
 */
export function runFunctional(t: VtaTarget, program: VtaProgram, dram: VtaDram): { dram: VtaDram; buffers: VtaBuffers } {
  const d = bufferDepths(t);
  const inpLen = t.batch * t.blockIn;
  const wgtLen = t.blockOut * t.blockIn;
  const accLen = t.batch * t.blockOut;
  const buf: VtaBuffers = { inp: new Int8Array(d.input * inpLen), wgt: new Int8Array(d.weight * wgtLen), acc: new Int32Array(d.acc * accLen), uop: new Array<Uop>(d.uop).fill({ dst: 0, src: 0, wgt: 0 }) };
  const out: VtaDram = { ...dram, out: dram.out.slice() };

  const copy = (insn: MemInsn): void => {
    const rowLen = insn.xPad0 + insn.xSize + insn.xPad1;
    const rows = insn.yPad0 + insn.ySize + insn.yPad1;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < rowLen; c++) {
        const sram = insn.sramBase + r * rowLen + c;
        const y = r - insn.yPad0;
        const x = c - insn.xPad0;
        const inside = y >= 0 && y < insn.ySize && x >= 0 && x < insn.xSize;
        const dramAt = insn.dramBase + y * insn.xStride + x;
        if (insn.op === 'store') out.out.set(Array.from(buf.acc.subarray(sram * accLen, (sram + 1) * accLen)), dramAt * accLen);
        else if (insn.mem === 'uop') buf.uop[sram] = inside ? out.uop[dramAt]! : { dst: 0, src: 0, wgt: 0 };
        else {
          const [from, to, len] = insn.mem === 'inp' ? [out.inp, buf.inp, inpLen] : insn.mem === 'wgt' ? [out.wgt, buf.wgt, wgtLen] : [out.acc, buf.acc, accLen];
          if (inside) to.set(from.subarray(dramAt * len, (dramAt + 1) * len), sram * len);
          else to.fill(0, sram * len, (sram + 1) * len);
        }
      }
    }
  };

  for (const insn of program.insns) {
    if (insn.op === 'load' || insn.op === 'store') copy(insn);
    else if (insn.op === 'gemm') gemm(t, insn, buf);
    else if (insn.op === 'alu') alu(t, insn, buf);
  }
  return { dram: out, buffers: buf };
}

/** Calls `body(dst, src, wgt)` for each micro-op of the two-level loop, in order. */
function forEachUop(insn: GemmInsn | AluInsn, uops: readonly Uop[], body: (dst: number, src: number, wgt: number) => void): void {
  const wgtOut = insn.op === 'gemm' ? insn.wgtFactorOut : 0;
  const wgtIn = insn.op === 'gemm' ? insn.wgtFactorIn : 0;
  for (let i = 0; i < insn.iterOut; i++) {
    for (let j = 0; j < insn.iterIn; j++) {
      for (let u = insn.uopBegin; u < insn.uopEnd; u++) {
        const uop = uops[u]!;
        body(uop.dst + i * insn.dstFactorOut + j * insn.dstFactorIn, uop.src + i * insn.srcFactorOut + j * insn.srcFactorIn, uop.wgt + i * wgtOut + j * wgtIn);
      }
    }
  }
}

function gemm(t: VtaTarget, insn: GemmInsn, buf: VtaBuffers): void {
  const { batch, blockIn: K, blockOut: N } = t;
  forEachUop(insn, buf.uop, (dst, src, w) => {
    for (let b = 0; b < batch; b++) {
      for (let o = 0; o < N; o++) {
        const at = (dst * batch + b) * N + o;
        if (insn.reset) {
          buf.acc[at] = 0;
          continue;
        }
        let sum = 0;
        for (let k = 0; k < K; k++) sum += buf.inp[(src * batch + b) * K + k]! * buf.wgt[(w * N + o) * K + k]!;
        buf.acc[at] = (buf.acc[at]! + sum) | 0;
      }
    }
  });
}

/** One ALU lane: `a op b` in int32. */
function aluLane(op: AluInsn['aluOp'], a: number, b: number): number {
  switch (op) {
    case 'min':
      return Math.min(a, b);
    case 'max':
      return Math.max(a, b);
    case 'add':
      return (a + b) | 0;
    case 'shr':
      return b >= 0 ? a >> Math.min(b, 31) : b <= -32 ? 0 : a << -b;
    case 'clip': {
      const m = Math.abs(b);
      return Math.max(-m, Math.min(m, a));
    }
  }
}

function alu(t: VtaTarget, insn: AluInsn, buf: VtaBuffers): void {
  const len = t.batch * t.blockOut;
  forEachUop(insn, buf.uop, (dst, src) => {
    for (let l = 0; l < len; l++) {
      const at = dst * len + l;
      buf.acc[at] = insn.reset ? 0 : aluLane(insn.aluOp, buf.acc[at]!, insn.useImm ? insn.imm : buf.acc[src * len + l]!);
    }
  });
}
