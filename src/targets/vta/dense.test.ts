import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lowerDense, packDense, unpackDense, type DenseShape } from './dense.js';
import { ALU_OPS, type AluOp, type Insn } from './isa.js';
import { simulate } from './simulate.js';
import { loadVtaTarget, type VtaTarget } from './spec.js';
import { aluIssueCycles, dmaBytes } from './timing.js';

/** Reference epilogue op, written from the ALU's definition in docs/vta-isa.md. */
function refOp(op: AluOp, x: number, imm: number): number {
  if (op === 'min') return Math.min(x, imm);
  if (op === 'max') return Math.max(x, imm);
  if (op === 'add') return x + imm; // values stay far from int32 overflow here
  if (op === 'shr') return imm >= 0 ? Math.floor(x / 2 ** Math.min(imm, 31)) : x * 2 ** -imm;
  return Math.max(-Math.abs(imm), Math.min(Math.abs(imm), x));
}

/** Brute-force integer matmul with the epilogue, narrowed to int8 the two's-complement way. */
function reference(s: DenseShape, a: Int8Array, w: Int8Array, epilogue: { op: AluOp; imm: number }[]): Int8Array {
  const c = new Int8Array(s.m * s.n);
  for (let m = 0; m < s.m; m++)
    for (let n = 0; n < s.n; n++) {
      let sum = 0;
      for (let k = 0; k < s.k; k++) sum += a[m * s.k + k]! * w[n * s.k + k]!;
      for (const e of epilogue) sum = refOp(e.op, sum, e.imm);
      c[m * s.n + n] = ((sum % 256) + 256) % 256;
    }
  return c;
}

/** A run takes at least its GEMM micro-ops plus ALU issue cycles, and at least its DMA bytes at the link's rate; returns the compute bound. */
function expectWithinBounds(t: VtaTarget, insns: readonly Insn[], run: ReturnType<typeof simulate>): number {
  const computeBound = run.counters.gemmUops + insns.reduce((s, i) => s + (i.op === 'alu' ? aluIssueCycles(t, i) : 0), 0);
  expect(run.cycles).toBeGreaterThanOrEqual(computeBound);
  expect(run.cycles).toBeGreaterThanOrEqual(insns.reduce((s, i) => s + dmaBytes(t, i), 0) / t.dma.bytesPerCycle);
  return computeBound;
}

const int8Array = (n: number) => fc.array(fc.integer({ min: -128, max: 127 }), { minLength: n, maxLength: n }).map((v) => Int8Array.from(v));

describe('VTA dense lowering', () => {
  it('a 1×1 convolution (2×2 pixels, 32 → 32 channels): counters derived by hand', () => {
    const t = loadVtaTarget('vta');
    const shape = { m: 4, k: 32, n: 32 };
    const lowering = lowerDense(t, shape);
    const a = Int8Array.from({ length: 128 }, (_, i) => (i * 7) % 256);
    const w = Int8Array.from({ length: 1024 }, (_, i) => (i * 13) % 256);
    const run = simulate(t, lowering.program, packDense(t, shape, lowering, a, w));
    // 4 pixels × 32 channels in and out; 32×32 weights; micro-ops: 2 input blocks + 1 accumulator micro-op, 4 bytes each;
    // GEMM: 4 pixels × 2 output blocks reset, then 4 × 2 × 2 block products.
    expect(run.counters).toEqual({ inpBytesLoaded: 128, wgtBytesLoaded: 1024, accBytesLoaded: 0, uopBytesLoaded: 12, outBytesStored: 128, gemmUops: 8 + 16, aluUops: 0 });
    expect(run.macs).toBe(4 * 32 * 32);
    expect(unpackDense(t, shape, run.dram.out)).toEqual(reference(shape, a, w, []));
  });

  it('equals a brute-force integer matmul, and never beats the compute and DMA bounds, on random schedules', () => {
    const arb = fc
      .record({
        rows: fc.integer({ min: 1, max: 9 }),
        kb: fc.integer({ min: 1, max: 3 }),
        nb: fc.integer({ min: 1, max: 3 }),
        vt: fc.constantFrom(1 as const, 2 as const),
        tileFrac: fc.double({ min: 0, max: 1, noNaN: true }),
        epilogue: fc.array(fc.record({ op: fc.constantFrom(...ALU_OPS), imm: fc.integer({ min: -5, max: 300 }) }), { maxLength: 3 }),
        bytesPerCycle: fc.constantFrom(1, 4, 8, 64),
        latency: fc.integer({ min: 0, max: 100 }),
        ii: fc.integer({ min: 1, max: 4 }),
        batch: fc.constantFrom(1, 2),
      })
      .chain((p) => fc.record({ p: fc.constant(p), a: int8Array(p.rows * p.batch * p.kb * 16), w: int8Array(p.nb * 16 * p.kb * 16) }));
    fc.assert(
      fc.property(arb, ({ p, a, w }) => {
        const t = loadVtaTarget('vta', [`dma.bytesPerCycle=${p.bytesPerCycle}`, `dma.latency=${p.latency}`, `alu.initiationInterval=${p.ii}`, `batch=${p.batch}`, 'buffers.input=1KiB', 'buffers.acc=2KiB']);
        const shape = { m: p.rows * p.batch, k: p.kb * 16, n: p.nb * 16 };
        const maxRows = Math.min(Math.floor(Math.floor(1024 / (16 * p.batch) / p.vt) / p.kb), Math.floor(Math.floor(2048 / (64 * p.batch) / p.vt) / p.nb), p.rows);
        const lowering = lowerDense(t, shape, { virtualThreads: p.vt, tileRows: 1 + Math.floor(p.tileFrac * (maxRows - 1)) }, { epilogue: p.epilogue });
        const run = simulate(t, lowering.program, packDense(t, shape, lowering, a, w));
        expect(unpackDense(t, shape, run.dram.out)).toEqual(reference(shape, a, w, p.epilogue));
        const computeBound = expectWithinBounds(t, lowering.program.insns, run);
        expect(run.modules.compute.busy).toBeGreaterThanOrEqual(computeBound);
      }),
      { numRuns: 30, seed: 18 },
    );
  });

  it('tiled over rows, output channels and the reduction, with per-channel bias and shift: equals the brute-force reference', () => {
    const arb = fc
      .record({
        rows: fc.integer({ min: 1, max: 6 }),
        kb: fc.integer({ min: 1, max: 5 }),
        nb: fc.integer({ min: 1, max: 4 }),
        vt: fc.constantFrom(1 as const, 2 as const),
        order: fc.constantFrom('rows' as const, 'channels' as const),
        tileFrac: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
      })
      .chain((p) =>
        fc.record({
          p: fc.constant(p),
          a: int8Array(p.rows * p.kb * 16),
          w: int8Array(p.nb * 16 * p.kb * 16),
          bias: fc.array(fc.integer({ min: -50000, max: 50000 }), { minLength: p.nb * 16, maxLength: p.nb * 16 }),
          shift: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: p.nb * 16, maxLength: p.nb * 16 }),
        }),
      );
    fc.assert(
      fc.property(arb, ({ p, a, w, bias, shift }) => {
        // small buffers so that weights and inputs must be tiled: 8 input vectors, 4 weight blocks, 16 + 2·nb accumulators
        const t = loadVtaTarget('vta', ['buffers.input=128', 'buffers.weight=1KiB', `buffers.acc=${64 * (16 + 2 * p.nb)}`]);
        const shape = { m: p.rows, k: p.kb * 16, n: p.nb * 16 };
        const half = (n: number) => Math.floor(n / p.vt);
        const tileK = 1 + Math.floor(p.tileFrac[0] * (Math.min(p.kb, half(8), half(4)) - 1));
        const tileN = 1 + Math.floor(p.tileFrac[1] * (Math.min(p.nb, Math.floor(half(4) / tileK), half(16)) - 1));
        const tileRows = 1 + Math.floor(p.tileFrac[2] * (Math.min(p.rows, Math.floor(half(8) / tileK), Math.floor(half(16) / tileN)) - 1));
        const epilogue = [{ op: 'max' as const, imm: 0 }, { op: 'min' as const, imm: 127 }];
        const lowering = lowerDense(t, shape, { virtualThreads: p.vt, tileK, tileN, tileRows, order: p.order }, { channelOps: ['add', 'shr'], epilogue });
        const run = simulate(t, lowering.program, packDense(t, shape, lowering, a, w, [bias, shift]));
        const expected = new Int8Array(shape.m * shape.n);
        for (let m = 0; m < shape.m; m++)
          for (let n = 0; n < shape.n; n++) {
            let sum = bias[n]!;
            for (let k = 0; k < shape.k; k++) sum += a[m * shape.k + k]! * w[n * shape.k + k]!;
            expected[m * shape.n + n] = Math.min(127, Math.max(0, Math.floor(sum / 2 ** shift[n]!)));
          }
        expect(unpackDense(t, shape, run.dram.out)).toEqual(expected);
        // every step loads its input tile and its weight tile (so inputs once per channel tile, weights once per row tile),
        // except weights that are resident (loaded once) and, with one reduction tile, the outer loop's operand (once)
        const [rowTiles, nTiles, single] = [Math.ceil(p.rows / tileRows), Math.ceil(p.nb / tileN), tileK === p.kb];
        const resident = tileN === p.nb && single && p.nb * p.kb <= 4;
        expect(run.counters.inpBytesLoaded).toBe((single && p.order === 'rows' ? 1 : nTiles) * shape.m * shape.k);
        expect(run.counters.wgtBytesLoaded).toBe((resident || (single && p.order === 'channels') ? 1 : rowTiles) * shape.n * shape.k);
        expectWithinBounds(t, lowering.program.insns, run);
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it('two virtual threads overlap one tile\'s load with another\'s compute', () => {
    const t = loadVtaTarget('vta');
    const shape = { m: 64, k: 64, n: 64 };
    const run = (virtualThreads: 1 | 2) => {
      const lowering = lowerDense(t, shape, { tileRows: 8, virtualThreads });
      return simulate(t, lowering.program, packDense(t, shape, lowering, new Int8Array(64 * 64), new Int8Array(64 * 64)));
    };
    const [one, two] = [run(1), run(2)];
    // the same traffic and work, except that each thread has its own micro-op kernel (4 + 1 micro-ops of 4 bytes)
    expect({ ...two.counters, uopBytesLoaded: 0 }).toEqual({ ...one.counters, uopBytesLoaded: 0 });
    expect(two.counters.uopBytesLoaded - one.counters.uopBytesLoaded).toBe(20);
    expect(two.cycles).toBeLessThan(one.cycles);
  });
});
