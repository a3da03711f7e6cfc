import { describe, expect, it } from 'vitest';
import { errorOf } from '../../util/test-util.js';
import { aluInsn, finishInsn, gemmInsn, memInsn, type VtaDram, type VtaProgram } from './program.js';
import { simulate } from './simulate.js';
import { loadVtaTarget } from './spec.js';
import { checkProgram } from './check.js';
import { aluIssueCycles } from './timing.js';

const t = loadVtaTarget('vta');

/** Deterministic int8 data. */
function int8s(n: number, seed: number): Int8Array {
  const a = new Int8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    a[i] = (s >>> 16) & 0xff;
  }
  return a;
}

/** One 16×16×16 GEMM: 16 input vectors times one 16×16 weight block. */
function gemm16(): { program: VtaProgram; dram: VtaDram } {
  const program: VtaProgram = {
    insns: [
      memInsn('load', 'uop', 0, 0, 1, 1),
      memInsn('load', 'inp', 0, 0, 1, 16),
      memInsn('load', 'wgt', 0, 0, 1, 1, 1, { pushNext: true }),
      gemmInsn({ reset: true, uopBegin: 0, uopEnd: 1, iterOut: 16, dstFactorOut: 1 }),
      gemmInsn({ uopBegin: 0, uopEnd: 1, iterOut: 16, dstFactorOut: 1, srcFactorOut: 1 }, { popPrev: true, pushNext: true }),
      memInsn('store', 'out', 0, 0, 1, 16, 16, { popPrev: true, pushPrev: true }),
      finishInsn({ popNext: true }),
    ],
  };
  const dram: VtaDram = { inp: int8s(256, 1), wgt: int8s(256, 2), acc: new Int32Array(0), uop: [{ dst: 0, src: 0, wgt: 0 }], out: new Int8Array(256) };
  return { program, dram };
}

describe('VTA simulator', () => {
  it('one 16×16×16 GEMM: counters, cycles and the product, derived by hand', () => {
    const { program, dram } = gemm16();
    const run = simulate(t, program, dram);
    // 16 input vectors and one weight block of 256 bytes each, one 4-byte micro-op, 16 output vectors of 16 bytes;
    // 16 reset micro-ops then 16 multiply micro-ops.
    expect(run.counters).toEqual({ inpBytesLoaded: 256, wgtBytesLoaded: 256, accBytesLoaded: 0, uopBytesLoaded: 4, outBytesStored: 256, gemmUops: 32, aluUops: 0 });
    expect(run.macs).toBe(4096);
    // Fetch: instruction i arrives at 32 + 2(i+1). uop load 34→35 on the port, +32 latency = 67; input load 36→68→100;
    // reset GEMM 67 + 16 + 4 = 87; weight load 100→132→164 pushes; GEMM 164 + 16 + 4 = 184 pushes;
    // store 184→216→248 pushes; FINISH 248→249.
    expect(run.spans.map((s) => [s.start, s.end])).toEqual([[34, 67], [36, 100], [100, 164], [67, 87], [164, 184], [184, 248], [248, 249]]);
    expect(run.cycles).toBe(249);
    expect(run.modules).toEqual({
      load: { busy: 128, depStall: 0, fetchStall: 36 },
      compute: { busy: 74, depStall: 77 + 64, fetchStall: 34 },
      store: { busy: 64, depStall: 140, fetchStall: 44 },
    });
    // Outputs: low 8 bits of the int32 dot products, computed here by brute force.
    for (let m = 0; m < 16; m++)
      for (let n = 0; n < 16; n++) {
        let sum = 0;
        for (let k = 0; k < 16; k++) sum += dram.inp[m * 16 + k]! * dram.wgt[n * 16 + k]!;
        expect(run.buffers.acc[m * 16 + n]).toBe(sum);
        expect(run.dram.out[m * 16 + n]).toBe(((sum << 24) >> 24));
      }
    expect(run.peakGops).toBeCloseTo(51.2, 10);
  });

  it('ALU issue cycles: vectors of BATCH × BLOCK_OUT = 16 elements, lanes elements per issue, one issue every initiation interval', () => {
    const add = aluInsn({ aluOp: 'add', uopBegin: 0, uopEnd: 1, iterOut: 10, dstFactorOut: 1, srcFactorOut: 1 });
    const at = (lanes: number, ii = 2) => aluIssueCycles(loadVtaTarget('vta', [`alu.lanes=${lanes}`, `alu.initiationInterval=${ii}`]), add);
    // 10 vectors: 16 lanes, one issue each (10 × 2); 8 lanes, two issues each (20 × 2); 32 lanes, two vectors per issue (5 × 2);
    // 64 lanes, four per issue (⌈10 / 4⌉ = 3 issues, × 2); a fully pipelined ALU with 32 lanes: 5 × 1
    expect([at(16), at(8), at(32), at(64), at(32, 1)]).toEqual([20, 40, 10, 6, 5]);
  });

  it('rejects a deadlock, a hazard, leftover tokens and bad flags before simulating', () => {
    const { program, dram } = gemm16();
    const without = (i: number, flag: 'popPrev' | 'pushNext' | 'pushPrev' | 'popNext', value = false): VtaProgram => ({ insns: program.insns.map((insn, j) => (j === i ? { ...insn, [flag]: value } : insn)) });
    // the weight load no longer pushes: the GEMM's pop waits forever
    expect(errorOf(() => checkProgram(t, without(2, 'pushNext'), dram)).render()).toMatch(/^instruction 4: deadlock: the compute module waits forever/);
    // neither push nor pop between load and GEMM: the GEMM may read the input buffer before the load module filled it
    const unsynced = { insns: without(4, 'popPrev').insns.map((insn, j) => (j === 2 ? { ...insn, pushNext: false } : insn)) };
    const hazard = errorOf(() => checkProgram(t, unsynced, dram));
    expect(hazard.render()).toMatch(/^instruction 4: hazard: instruction 1 \(load on load\)/);
    expect(hazard.code).toBe('infeasible');
    // FINISH no longer pops: the store's token is left over
    expect(errorOf(() => checkProgram(t, without(6, 'popNext'), dram)).render()).toContain('1 token(s) left in the s2c queue');
    expect(errorOf(() => checkProgram(t, without(1, 'popPrev', true), dram)).render()).toContain('popPrev on the load module');
    expect(errorOf(() => checkProgram(t, { insns: program.insns.slice(0, 6) }, dram)).render()).toContain('does not end with FINISH');
    const tooFar = { insns: program.insns.map((insn, j) => (j === 1 ? memInsn('load', 'inp', 2040, 0, 1, 16) : insn)) };
    expect(errorOf(() => checkProgram(t, tooFar, dram)).render()).toContain('inp buffer access [2040, 2055] outside its 2048 elements');
  });
});
