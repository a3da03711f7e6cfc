import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALU_OPS, MEM_IDS, decode, decodeProgram, decodeUop, encode, encodeProgram, encodeUop, fieldWidths, type Insn } from './isa.js';

const bits = (n: number) => fc.integer({ min: 0, max: 2 ** n - 1 });
const deps = { popPrev: fc.boolean(), popNext: fc.boolean(), pushPrev: fc.boolean(), pushNext: fc.boolean() };
const loop = { reset: fc.boolean(), uopBegin: bits(13), uopEnd: bits(14), iterOut: bits(14), iterIn: bits(14), dstFactorOut: bits(11), dstFactorIn: bits(11), srcFactorOut: bits(11), srcFactorIn: bits(11) };

const insn: fc.Arbitrary<Insn> = fc.oneof(
  fc.record({ op: fc.constantFrom('load' as const, 'store' as const), mem: fc.constantFrom(...MEM_IDS), sramBase: bits(16), dramBase: fc.integer({ min: 0, max: 2 ** 32 - 1 }), ySize: bits(16), xSize: bits(16), xStride: bits(16), yPad0: bits(4), yPad1: bits(4), xPad0: bits(4), xPad1: bits(4), ...deps }),
  fc.record({ op: fc.constant('gemm' as const), ...loop, wgtFactorOut: bits(10), wgtFactorIn: bits(10), ...deps }),
  fc.record({ op: fc.constant('alu' as const), ...loop, aluOp: fc.constantFrom(...ALU_OPS), useImm: fc.boolean(), imm: fc.integer({ min: -32768, max: 32767 }), ...deps }),
  fc.record({ op: fc.constant('finish' as const), ...deps }),
);

describe('VTA ISA', () => {
  it('decode inverts encode for every instruction whose fields fit', () => {
    fc.assert(fc.property(fc.array(insn, { maxLength: 8 }), (prog) => {
      expect(decodeProgram(encodeProgram(prog))).toEqual(prog);
    }));
  });

  it('decode inverts encode for micro-ops', () => {
    fc.assert(fc.property(fc.record({ dst: bits(11), src: bits(11), wgt: bits(10) }), (u) => {
      expect(decodeUop(encodeUop(u))).toEqual(u);
    }));
  });

  it('places fields where docs/vta-isa.md says', () => {
    // FINISH with push_next: opcode 3 in bits 0-2, push_next is bit 6 → 0b1000011
    expect(Array.from(encode({ op: 'finish', popPrev: false, popNext: false, pushPrev: false, pushNext: true }))).toEqual([0x43, ...new Array<number>(15).fill(0)]);
    // a LOAD (opcode 0) of inputs (mem 2, bits 7-9) with dram base 1 (bit 26) and x size 1 (bit 80)
    const load = encode({ op: 'load', mem: 'inp', sramBase: 0, dramBase: 1, ySize: 0, xSize: 1, xStride: 0, yPad0: 0, yPad1: 0, xPad0: 0, xPad1: 0, popPrev: false, popNext: false, pushPrev: false, pushNext: false });
    expect(load[0]).toBe(0x00);
    expect(load[1]).toBe(0x01); // mem 2 << 7 = 0x100
    expect(load[3]).toBe(0x04); // 1 << 26
    expect(load[10]).toBe(0x01); // 1 << 80
    expect(encodeUop({ dst: 1, src: 1, wgt: 1 })).toBe(1 + (1 << 11) + (1 << 22));
    expect(fieldWidths('gemm').wgtFactorIn).toBe(10);
  });

  it('refuses fields that do not fit and bytes that are not instructions', () => {
    expect(() => encode({ op: 'gemm', reset: false, uopBegin: 8192, uopEnd: 0, iterOut: 1, iterIn: 1, dstFactorOut: 0, dstFactorIn: 0, srcFactorOut: 0, srcFactorIn: 0, wgtFactorOut: 0, wgtFactorIn: 0, popPrev: false, popNext: false, pushPrev: false, pushNext: false })).toThrow(/uopBegin/);
    expect(() => decode(new Uint8Array(16).fill(7))).toThrow(/opcode 7/);
    expect(() => decodeProgram(new Uint8Array(17))).toThrow(/17 bytes/);
  });
});
