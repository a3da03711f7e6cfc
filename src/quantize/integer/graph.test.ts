import { describe, expect, it } from 'vitest';
import type { Feeds, ParamSource } from '../../execute/execute.js';
import { seededInputs } from '../../execute/inputs.js';
import { kernels } from '../../execute/kernels/index.js';
import { seededParams } from '../../execute/params.js';
import { fromNumbers, type Value } from '../../execute/value.js';
import { Rng } from '../../util/rng.js';
import { GraphBuilder } from '../../workload/builder.js';
import type { Graph, Node } from '../../workload/graph.js';
import { codeRange, INTEGER_KERNELS, quantizeGraph, quantizer, type GemmLayer, type IntegerProfile, type QGraph } from './graph.js';
import { runQGraph } from './run.js';

/**
 * The integer run against a float emulation of the same integer graph: every
 * GEMM, add and max pool computed by the fp32 executor's kernels on the
 * codes (as numbers; integer weights and biases), the result times the
 * layer's requantization factor (M0 · 2^−n for fixed-point requantization,
 * 2^−shift for a power-of-two shift, the bias without its rounding half)
 * and rounded half up; host layers on values dequantized with each tensor's
 * scale. The graphs are small enough that every float sum and product is
 * exact, so the two must agree code for code.
 */

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;

/** A random small CNN: conv (ReLU), maybe a max pool, a plain or depthwise 3×3 conv with a residual add and ReLU, global pool, linear. */
function randomGraph(rng: Rng, id: number): Graph {
  const g = new GraphBuilder(`random${id}`, { batch: 1 });
  const size = 6 + rng.int(5);
  let x = g.input('x', [1, 1 + rng.int(4), size, size]);
  const c = 2 + rng.int(6);
  x = g.conv(x, c, { kernel: 1 + rng.int(3), stride: 1 + rng.int(2), pad: rng.int(2), bias: rng.next() < 0.5, name: 'conv1' });
  if (rng.next() < 0.7) x = g.relu(x, 'relu1');
  if (rng.next() < 0.5) x = g.maxPool(x, { kernel: 2, stride: 1, name: 'pool' });
  const y = g.conv(x, c, { kernel: 3, pad: 1, group: rng.next() < 0.5 ? c : 1, bias: true, name: 'conv2' });
  x = g.relu(g.add(y, x, 'residual'), 'relu2');
  x = g.flatten(g.globalAvgPool(x, 'gap'), 1, 'flatten');
  return g.build([g.linear(x, 2 + rng.int(5), { name: 'fc' })]);
}

const dequantized = (q: QGraph, t: string, codes: ArrayLike<number>): Value => {
  const scale = q.formats.get(t)!.scale;
  return fromNumbers(q.graph.tensors[t]!, Array.from(codes, (c) => c * scale));
};

function runKernel(node: Node, inputs: (Value | undefined)[], q: QGraph): Value[] {
  return kernels.get(node.op)!.run({ node, inputs, attrs: node.attrs, outputs: node.outputs.map((t) => q.graph.tensors[t]!), kernels });
}

const halfUp = (y: number, factor: number, b: { lo: number; hi: number }) => Math.min(b.hi, Math.max(b.lo, Math.floor(y * factor + 0.5)));

/** The float emulation: codes per tensor. */
function emulate(q: QGraph, feeds: Feeds): Map<string, number[]> {
  const codes = new Map<string, number[]>();
  const quantize = (t: string, v: ArrayLike<number>) => {
    const f = q.formats.get(t)!;
    codes.set(t, Array.from(v, quantizer(f.scale, codeRange(f))));
  };
  const asValue = (t: string) => fromNumbers(q.graph.tensors[t]!, codes.get(t)!);
  const nodeOf = (name: string) => q.graph.nodes.find((n) => n.name === name)!;
  for (const t of q.graph.inputs) quantize(t, feeds[t]!.data);
  for (const l of q.layers) {
    if (l.kind === 'gemm') {
      const node = nodeOf(l.nodes[0]!);
      const w = fromNumbers(q.graph.tensors[node.inputs[1]!]!, Array.from(l.weight));
      const half = (c: number) => (!l.multiplier && l.shift[c]! > 0 ? 2 ** (l.shift[c]! - 1) : 0);
      const bias = fromNumbers({ shape: [l.n], dtype: 'float32' }, Array.from(l.bias, (b, c) => b - half(c)));
      const y = runKernel(node, [asValue(l.inputs[0]!), w, bias], q)[0]!.data;
      const pq = l.conv ? l.conv.p * l.conv.q : 1;
      const ch = (i: number) => (l.conv ? Math.floor(i / pq) : i) % l.n;
      codes.set(l.output, Array.from(y, (v, i) => halfUp(v, (l.multiplier?.[ch(i)] ?? 1) * 2 ** -l.shift[ch(i)]!, l.bounds)));
    } else if (l.kind === 'add') {
      const [a, b] = l.inputs.map((t) => codes.get(t)!);
      const [ma, mb] = l.multipliers ?? [2 ** l.la, 2 ** l.lb];
      codes.set(l.output, Array.from(a!, (v, i) => halfUp(v * ma + (b ? b[i]! * mb : 0), 2 ** -l.shift, l.bounds)));
    } else if (l.kind === 'maxpool') {
      codes.set(l.output, Array.from(runKernel(nodeOf(l.nodes[0]!), [asValue(l.inputs[0]!)], q)[0]!.data));
    } else quantize(l.output, runKernel(l.node, l.node.inputs.map((t) => (codes.has(t) ? dequantized(q, t, codes.get(t)!) : q.params(q.graph.tensors[t]!))), q)[0]!.data);
  }
  return codes;
}

const POWER_OF_TWO: IntegerProfile = { ...INTEGER_KERNELS, scales: 'power-of-two' };

describe('the integer graph', () => {
  for (const profile of [INTEGER_KERNELS, POWER_OF_TWO])
    it(`runs code for code as its float emulation with the same scales and rounding, on random small graphs at random bits (${profile.scales} scales)`, () => {
      const rng = new Rng(7);
      for (let trial = 0; trial < 24; trial++) {
        const graph = randomGraph(rng, trial);
        const bits = new Map(graph.nodes.filter((n) => ['Conv', 'Gemm'].includes(n.op)).map((n) => [n.name, pick(rng, [8, 4, 2])]));
        const q = quantizeGraph(graph, seededParams(graph, trial), { calibration: [seededInputs(graph, 100 + trial)], method: pick(rng, ['max', 'percentile', 'mse'] as const), bits, profile });
        const feeds = seededInputs(graph, trial);
        const run = runQGraph(q, feeds);
        const emulated = emulate(q, feeds);
        for (const l of q.layers) expect(Array.from(run.codes.get(l.output)!), `trial ${trial}, layer ${l.name}`).toEqual(emulated.get(l.output));
        const out = q.graph.outputs[0]!;
        expect(Array.from(run.outputs[out]!.data)).toEqual(Array.from(dequantized(q, out, emulated.get(out)!).data));
        const gemms = q.layers.filter((l): l is GemmLayer => l.kind === 'gemm');
        expect(gemms.length, `trial ${trial}`).toBe(3);
        // the requantization factor is the scales' ratio: exactly under power-of-two scales, within 2^−30 (31-bit M0) under real ones
        for (const l of gemms)
          l.weightScales.forEach((ws, c) => {
            const m = (q.formats.get(l.inputs[0]!)!.scale * ws) / q.formats.get(l.output)!.scale;
            const factor = (l.multiplier?.[c] ?? 1) * 2 ** -l.shift[c]!;
            if (profile.scales === 'real') expect(Math.abs(factor / m - 1), `trial ${trial}, ${l.name}[${c}]`).toBeLessThan(2 ** -30);
            else expect(factor).toBe(m);
          });
      }
    });

  it('a one-layer dense model with chosen values, at int4 and int2, power-of-two scales, worked by hand', () => {
    // x = [0.8, −0.5], w = [0.5, 0.3], no bias; calibrated on x itself; fp32 y = 0.4 − 0.15 = 0.25
    const g = new GraphBuilder('tiny', { batch: 1 });
    const graph = g.build([g.linear(g.input('x', [1, 2]), 1, { bias: false, name: 'fc' })]);
    const params: ParamSource = (t) => (t.name === 'fc.weight' ? fromNumbers(t, [0.5, 0.3]) : undefined);
    const feeds = { x: fromNumbers({ shape: [1, 2], dtype: 'float32' }, [0.8, -0.5]) };
    const at = (bits: number) => {
      const q = quantizeGraph(graph, params, { calibration: [feeds], method: 'max', bits: new Map([['fc', bits]]), profile: POWER_OF_TWO });
      const fc = q.layers[0] as GemmLayer;
      return { q, fc, run: runQGraph(q, feeds) };
    };
    // int4: x signed (it has a negative), qmax 7: exp = ⌈log2(0.8 / 7)⌉ = −3, codes 6.4 → 6, −4.
    // w: exponent from the max ⌈log2(0.5 / 7)⌉ = −3 holds 0.5 → 4 exactly and 0.3 → 2.4 → 2 (error 0.0025; −4 would clip 0.5 to 7/16: 0.0041).
    // acc = 6·4 − 4·2 = 16 at 2^−6 = 0.25. The output (a graph output: 16 bits, unsigned as y ≥ 0) has exp ⌈log2(0.25 / 65535)⌉ = −17,
    // so the shift is −17 + 3 + 3 = −11: 16 · 2^11 = 32768, i.e. 0.25 exactly.
    const four = at(4);
    expect(four.q.formats.get('x')).toEqual({ scale: 2 ** -3, exp: -3, bits: 4, signed: true });
    expect([Array.from(four.fc.weight), Array.from(four.fc.weightScales, Math.log2), Array.from(four.fc.shift)]).toEqual([[4, 2], [-3], [-11]]);
    expect(Array.from(four.run.codes.get('x')!)).toEqual([6, -4]);
    expect(Array.from(four.run.codes.get(four.fc.output)!)).toEqual([32768]);
    expect(Array.from(four.run.outputs[four.fc.output]!.data)).toEqual([0.25]);
    // int2: x exp ⌈log2(0.8 / 1)⌉ = 0, codes 0.8 → 1 and −0.5 → −0 → 0 (ties to even). w: exponent −1 gives 0.5 → 1, 0.6 → 1 (error 0.04;
    // −2: 0.0625 + 0.0025). acc = 1 at 2^−1 = 0.5; shift −17 − 0 + 1 = −16: 2^16 = 65536 clamps to 65535, i.e. 65535 · 2^−17.
    const two = at(2);
    expect([Array.from(two.run.codes.get('x')!), Array.from(two.fc.weight), Array.from(two.fc.weightScales, Math.log2)]).toEqual([[1, 0], [1, 1], [-1]]);
    expect(Array.from(two.run.codes.get(two.fc.output)!)).toEqual([65535]);
    expect(Array.from(two.run.outputs[two.fc.output]!.data)).toEqual([Math.fround(65535 * 2 ** -17)]);
  });

  it('puts a dense layer\'s weights on SAWB\'s odd grid under real scales, worked by hand', () => {
    // w = [0.5, 0.3]: E[w²] = 0.17, √ = 0.4123106, E[|w|] = 0.4.
    // int2: α* = 3.212 · 0.4123106 − 2.178 · 0.4 = 0.4531415 (< max 0.5); scale Δ/2 = α*/3 = 0.1510472, Δ = 0.3020943.
    //   levels ⌊w / Δ⌋ clamped to [−2, 1]: 0.5 → ⌊1.655⌋ = 1, 0.3 → ⌊0.993⌋ = 0; odd codes 2i + 1: [3, 1].
    // int4: α* = 12.68 · 0.4123106 − 12.8 · 0.4 = 0.1080983; scale α*/15 = 0.0072066, Δ = 0.0144131;
    //   0.5 → ⌊34.7⌋ and 0.3 → ⌊20.8⌋ both clamp to level 7: codes [15, 15].
    const g = new GraphBuilder('tiny', { batch: 1 });
    const graph = g.build([g.linear(g.input('x', [1, 2]), 1, { bias: false, name: 'fc' })]);
    const params: ParamSource = (t) => (t.name === 'fc.weight' ? fromNumbers(t, [0.5, 0.3]) : undefined);
    const feeds = { x: fromNumbers({ shape: [1, 2], dtype: 'float32' }, [0.8, -0.5]) };
    const fc = (bits: number) => quantizeGraph(graph, params, { calibration: [feeds], method: 'max', bits: new Map([['fc', bits]]) }).layers[0] as GemmLayer;
    const two = fc(2);
    expect(Array.from(two.weight)).toEqual([3, 1]);
    expect(two.weightScales[0]).toBeCloseTo(0.4531415 / 3, 6);
    const four = fc(4);
    expect(Array.from(four.weight)).toEqual([15, 15]);
    expect(four.weightScales[0]).toBeCloseTo(0.1080983 / 15, 7);
  });

  it('keeps token ids as they are and runs a MatMul over [batch, tokens, dim] as one GEMM, equal to a brute-force integer product', () => {
    const g = new GraphBuilder('tokens', { batch: 2 });
    const ids = g.input('ids', [2, 5], 'int64');
    const h = g.embedding(ids, 11, 6);
    const graph = g.build([g.linear(h, 4, { bias: false, name: 'proj' })]);
    const q = quantizeGraph(graph, seededParams(graph, 1), { calibration: [seededInputs(graph, 2)], method: 'max', bits: new Map([['proj', 4]]) });
    expect(q.layers.map((l) => [l.name, l.kind])).toEqual([['embedding', 'host'], ['proj', 'gemm']]);
    const proj = q.layers[1] as GemmLayer;
    expect([proj.m, proj.k, proj.n]).toEqual([10, 6, 4]);
    const run = runQGraph(q, seededInputs(graph, 3));
    const x = run.codes.get(proj.inputs[0]!)!;
    const expected: number[] = [];
    for (let m = 0; m < 10; m++)
      for (let n = 0; n < 4; n++) {
        let acc = proj.bias[n]!;
        for (let k = 0; k < 6; k++) acc += x[m * 6 + k]! * proj.weight[n * 6 + k]!;
        // fixed-point: round half up of acc · M0 / 2^n (acc · M0 < 2^53 here: six products of 8-bit codes)
        expected.push(Math.min(proj.bounds.hi, Math.max(proj.bounds.lo, Math.floor((acc * proj.multiplier![n]!) / 2 ** proj.shift[n]! + 0.5))));
      }
    expect(Array.from(run.codes.get(proj.output)!)).toEqual(expected);
  });

  it('holds codes in each tensor\'s format: int2 signed {−1, 0, 1}, unsigned {0, 1, 2, 3}; weights on SAWB\'s odd grid, int2 {−3, −1, 1, 3}, int4 odd within ±15', () => {
    const rng = new Rng(11);
    const seen2 = new Set<number>();
    const seenW2 = new Set<number>();
    for (let trial = 0; trial < 6; trial++) {
      const graph = randomGraph(rng, trial);
      const bits = new Map(graph.nodes.filter((n) => ['Conv', 'Gemm'].includes(n.op)).map((n) => [n.name, n.name === 'conv2' ? 4 : 2]));
      const q = quantizeGraph(graph, seededParams(graph, trial), { calibration: [seededInputs(graph, 50 + trial)], method: 'max', bits });
      const run = runQGraph(q, seededInputs(graph, trial));
      for (const [t, codes] of run.codes) {
        const f = q.formats.get(t)!;
        const allowed = f.bits === 2 ? (f.signed ? [-1, 0, 1] : [0, 1, 2, 3]) : undefined;
        const { lo, hi } = codeRange(f);
        for (const c of codes) {
          expect(c >= lo && c <= hi, `${t}: code ${c} outside [${lo}, ${hi}]`).toBe(true);
          if (allowed) expect(allowed).toContain(c);
          if (f.bits === 2 && !f.signed) seen2.add(c);
        }
      }
      for (const l of q.layers.filter((l): l is GemmLayer => l.kind === 'gemm')) {
        expect(l.bits).toBe(l.name === 'conv2' ? 4 : 2);
        const allowedW = l.bits === 2 ? [-3, -1, 1, 3] : [-15, -13, -11, -9, -7, -5, -3, -1, 1, 3, 5, 7, 9, 11, 13, 15];
        for (const w of l.weight) {
          expect(allowedW, `${l.name}: weight code ${w}`).toContain(w);
          if (l.bits === 2) seenW2.add(w);
        }
        // a layer reads its input at its own bits
        expect(q.formats.get(l.inputs[0]!)!.bits).toBe(l.bits);
      }
    }
    // the unsigned int2 grid is used whole, not only its signed half; so is the int2 weight grid
    expect([...seen2].sort()).toEqual([0, 1, 2, 3]);
    expect([...seenW2].sort((a, b) => a - b)).toEqual([-3, -1, 1, 3]);
  });
});
