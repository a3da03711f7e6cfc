/**
 * The VTA instruction set: 128-bit LOAD, STORE, GEMM, ALU and FINISH
 * instructions carrying dependency-token flags, and 32-bit micro-ops. The
 * binary layout is documented in docs/vta-isa.md; `encode`/`decode` are
 * exact inverses over every instruction whose fields fit their widths.
 */

/** Dependency-token flags: pop a token from / push a token to the neighbouring module. */
export interface DepFlags {
  popPrev: boolean;
  popNext: boolean;
  pushPrev: boolean;
  pushNext: boolean;
}

/** On-chip buffers a LOAD fills (`out` is what STORE writes back: accumulators narrowed to the input width). */
export type MemId = 'uop' | 'wgt' | 'inp' | 'acc' | 'out';
export const MEM_IDS: readonly MemId[] = ['uop', 'wgt', 'inp', 'acc', 'out'];

/** A 2-D strided copy between DRAM and a buffer, with zero padding on the buffer side; units are buffer elements. */
export interface MemInsn extends DepFlags {
  op: 'load' | 'store';
  mem: MemId;
  sramBase: number;
  dramBase: number;
  ySize: number;
  xSize: number;
  xStride: number;
  yPad0: number;
  yPad1: number;
  xPad0: number;
  xPad1: number;
}

/** The two-level affine loop shared by GEMM and ALU: micro-ops [uopBegin, uopEnd) run iterOut × iterIn times. */
export interface LoopFields {
  reset: boolean;
  uopBegin: number;
  uopEnd: number;
  iterOut: number;
  iterIn: number;
  dstFactorOut: number;
  dstFactorIn: number;
  srcFactorOut: number;
  srcFactorIn: number;
}

export interface GemmInsn extends DepFlags, LoopFields {
  op: 'gemm';
  wgtFactorOut: number;
  wgtFactorIn: number;
}

export type AluOp = 'min' | 'max' | 'add' | 'shr' | 'clip';
export const ALU_OPS: readonly AluOp[] = ['min', 'max', 'add', 'shr', 'clip'];

export interface AluInsn extends DepFlags, LoopFields {
  op: 'alu';
  aluOp: AluOp;
  useImm: boolean;
  /** Signed 16-bit immediate. */
  imm: number;
}

export interface FinishInsn extends DepFlags {
  op: 'finish';
}

export type Insn = MemInsn | GemmInsn | AluInsn | FinishInsn;
export type Opcode = Insn['op'];
const OPCODES: readonly Opcode[] = ['load', 'store', 'gemm', 'finish', 'alu'];

/** One micro-op: buffer indices added to the loop's affine offsets. */
export interface Uop {
  dst: number;
  src: number;
  wgt: number;
}

type Field = readonly [name: string, bits: number];

const HEAD: Field[] = [['opcode', 3], ['popPrev', 1], ['popNext', 1], ['pushPrev', 1], ['pushNext', 1]];
const MEM: Field[] = [...HEAD, ['mem', 3], ['sramBase', 16], ['dramBase', 32], ['pad', 6], ['ySize', 16], ['xSize', 16], ['xStride', 16], ['yPad0', 4], ['yPad1', 4], ['xPad0', 4], ['xPad1', 4]];
const LOOP: Field[] = [...HEAD, ['reset', 1], ['uopBegin', 13], ['uopEnd', 14], ['iterOut', 14], ['iterIn', 14], ['pad', 1], ['dstFactorOut', 11], ['dstFactorIn', 11], ['srcFactorOut', 11], ['srcFactorIn', 11]];
const GEMM: Field[] = [...LOOP, ['wgtFactorOut', 10], ['wgtFactorIn', 10]];
const ALU: Field[] = [...LOOP, ['aluOp', 3], ['useImm', 1], ['imm', 16]];
const FINISH: Field[] = [...HEAD];
const UOP: Field[] = [['dst', 11], ['src', 11], ['wgt', 10]];

const LAYOUT: Record<Opcode, Field[]> = { load: MEM, store: MEM, gemm: GEMM, alu: ALU, finish: FINISH };

/** Bit widths of each instruction's fields (for checks and docs). */
export function fieldWidths(op: Opcode): Record<string, number> {
  return Object.fromEntries(LAYOUT[op].filter(([n]) => n !== 'pad'));
}

function numeric(insn: Record<string, unknown>, name: string): number {
  const v = insn[name];
  if (name === 'opcode') return OPCODES.indexOf(insn.op as Opcode);
  if (name === 'mem') return MEM_IDS.indexOf(v as MemId);
  if (name === 'aluOp') return ALU_OPS.indexOf(v as AluOp);
  if (name === 'imm') return (v as number) & 0xffff;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v as number;
}

function pack(fields: readonly Field[], value: Record<string, unknown>, totalBits: number): bigint {
  let word = 0n;
  let at = 0n;
  for (const [name, bits] of fields) {
    const v = name === 'pad' ? 0 : numeric(value, name);
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new RangeError(`field ${name} = ${String(value[name])} does not fit ${bits} bits`);
    word |= BigInt(v) << at;
    at += BigInt(bits);
  }
  if (at > BigInt(totalBits)) throw new Error(`layout overflows ${totalBits} bits`);
  return word;
}

function unpack(fields: readonly Field[], word: bigint): Record<string, number> {
  const out: Record<string, number> = {};
  let at = 0n;
  for (const [name, bits] of fields) {
    out[name] = Number((word >> at) & ((1n << BigInt(bits)) - 1n));
    at += BigInt(bits);
  }
  return out;
}

/** Encodes one instruction as 16 little-endian bytes; throws RangeError when a field does not fit. */
export function encode(insn: Insn): Uint8Array {
  let word = pack(LAYOUT[insn.op], insn as unknown as Record<string, unknown>, 128);
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++, word >>= 8n) bytes[i] = Number(word & 0xffn);
  return bytes;
}

/** Decodes 16 little-endian bytes; throws RangeError on an unknown opcode, memory id or ALU op. */
export function decode(bytes: Uint8Array): Insn {
  let word = 0n;
  for (let i = 15; i >= 0; i--) word = (word << 8n) | BigInt(bytes[i]!);
  const op = OPCODES[Number(word & 7n)];
  if (op === undefined) throw new RangeError(`unknown opcode ${Number(word & 7n)}`);
  const f = unpack(LAYOUT[op], word);
  const deps: DepFlags = { popPrev: f.popPrev === 1, popNext: f.popNext === 1, pushPrev: f.pushPrev === 1, pushNext: f.pushNext === 1 };
  if (op === 'finish') return { op, ...deps };
  if (op === 'load' || op === 'store') {
    const mem = MEM_IDS[f.mem!];
    if (mem === undefined) throw new RangeError(`unknown memory id ${f.mem}`);
    return { op, ...deps, mem, sramBase: f.sramBase!, dramBase: f.dramBase!, ySize: f.ySize!, xSize: f.xSize!, xStride: f.xStride!, yPad0: f.yPad0!, yPad1: f.yPad1!, xPad0: f.xPad0!, xPad1: f.xPad1! };
  }
  const loop: LoopFields = {
    reset: f.reset === 1,
    uopBegin: f.uopBegin!,
    uopEnd: f.uopEnd!,
    iterOut: f.iterOut!,
    iterIn: f.iterIn!,
    dstFactorOut: f.dstFactorOut!,
    dstFactorIn: f.dstFactorIn!,
    srcFactorOut: f.srcFactorOut!,
    srcFactorIn: f.srcFactorIn!,
  };
  if (op === 'gemm') return { op, ...deps, ...loop, wgtFactorOut: f.wgtFactorOut!, wgtFactorIn: f.wgtFactorIn! };
  const aluOp = ALU_OPS[f.aluOp!];
  if (aluOp === undefined) throw new RangeError(`unknown ALU op ${f.aluOp}`);
  return { op, ...deps, ...loop, aluOp, useImm: f.useImm === 1, imm: (f.imm! << 16) >> 16 };
}

/** Encodes a micro-op as a 32-bit word. */
export function encodeUop(u: Uop): number {
  return Number(pack(UOP, u as unknown as Record<string, unknown>, 32));
}

export function decodeUop(word: number): Uop {
  const f = unpack(UOP, BigInt(word >>> 0));
  return { dst: f.dst!, src: f.src!, wgt: f.wgt! };
}

/** Instructions as one byte stream (16 bytes each). */
export function encodeProgram(insns: readonly Insn[]): Uint8Array {
  const out = new Uint8Array(insns.length * 16);
  insns.forEach((insn, i) => out.set(encode(insn), i * 16));
  return out;
}

export function decodeProgram(bytes: Uint8Array): Insn[] {
  if (bytes.length % 16 !== 0) throw new RangeError(`${bytes.length} bytes is not a whole number of 16-byte instructions`);
  const out: Insn[] = [];
  for (let i = 0; i + 16 <= bytes.length; i += 16) out.push(decode(bytes.subarray(i, i + 16)));
  return out;
}
