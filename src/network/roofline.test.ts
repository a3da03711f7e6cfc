import { describe, expect, it } from 'vitest';
import { loadArch } from '../arch/load.js';
import { parseLayerSpec } from '../problem/parse.js';
import { GraphBuilder } from '../workload/builder.js';
import { vectorLayer } from './assemble.js';
import { layerWork, problemWork } from './layers.js';
import { planNetwork } from './plan.js';

/**
 * The roofline and the vector unit's traffic under a named precision, derived
 * by hand on the RaPiD preset: 16-bit DRAM words, 64 bytes (32 words) per
 * cycle per core, 4 cores; 128 PEs per core at 8 (fp16) or 64 (int4) MACs per
 * cycle; a vector unit of 32 lanes per core.
 */
const rapid = loadArch('rapid');
const DRAM_WORDS_PER_CYCLE = 32 * 4;

describe('the roofline follows the precision', () => {
  // conv K=8, C=8, 56×56, 1×1: weights 64, inputs 8·56·56 = 25088, outputs 25088 elements; 200,704 MACs.
  const small = problemWork('small', parseLayerSpec('conv:K=8,C=8,P=56,Q=56,R=1,S=1'));

  it('int4: a layer of 50,240 elements moves 25,120 bytes = 12,560 DRAM words; memory-bound at 98.125 cycles', () => {
    const [l] = planNetwork({ model: 'm', mode: 'infer', batch: 1, layers: small }, rapid, 'int4').layers;
    // 4 bits per element: read (64 + 25088) / 4 = 6288 words, written 25088 / 4 = 6272 words.
    expect([l!.read, l!.written]).toEqual([6288, 6272]);
    // Memory: 12560 words ÷ 128 words per cycle = 98.125; compute: 200704 ÷ (128 PEs · 64 · 4 cores) = 6.125.
    expect(l!.roof).toEqual({ boundCycles: 98.125, bound: 'memory' });
  });

  it('without a precision every element is one word: four times the int4 traffic, at the fp16 MAC rate', () => {
    const [l] = planNetwork({ model: 'm', mode: 'infer', batch: 1, layers: small }, rapid).layers;
    expect([l!.read, l!.written]).toEqual([25152, 25088]);
    expect(l!.roof).toEqual({ boundCycles: 50240 / DRAM_WORDS_PER_CYCLE, bound: 'memory' });
  });

  it("a 3×3 layer turns compute-bound at int4's MAC rate, with its traffic at 4 bits", () => {
    const big = problemWork('big', parseLayerSpec('conv:K=64,C=64,P=56,Q=56,R=3,S=3'));
    const [l] = planNetwork({ model: 'm', mode: 'infer', batch: 1, layers: big }, rapid, 'int4').layers;
    // Weights 36864, inputs 64·58·58 = 215296, outputs 200704 elements, at a quarter word each.
    expect([l!.read, l!.written]).toEqual([63040, 50176]);
    // Compute 115,605,504 MACs ÷ 32,768 per cycle = 3528; memory 113216 ÷ 128 = 884.5.
    expect(l!.roof).toEqual({ boundCycles: 3528, bound: 'compute' });
  });

  it("hfp8: half a word per element; a fused epilogue's residual input at the operand bits too", () => {
    const work = { ...problemWork('conv+Add', parseLayerSpec('conv:K=8,C=8,P=56,Q=56,R=1,S=1'))[0]!, epilogue: { ops: 2 * 25088, bytesRead: 4 * 25088, elementsRead: 25088 } };
    const [l] = planNetwork({ model: 'm', mode: 'infer', batch: 1, layers: [work] }, rapid, 'hfp8').layers;
    expect([l!.read, l!.written, l!.epilogueRead]).toEqual([12576, 12544, 12544]);
    // Without a precision the epilogue reads the graph's bytes: 4 bytes per element = 2 DRAM words.
    const [plain] = planNetwork({ model: 'm', mode: 'infer', batch: 1, layers: [work] }, rapid).layers;
    expect(plain!.epilogueRead).toBe(50176);
  });
});

describe('transfers between cores follow the precision', () => {
  it('int4: an all-gather of 4-bit inputs and a reduce-scatter of 16-bit partial sums over the ring', () => {
    // 4 cores on a ring of 128 bytes per cycle per link, 8 cycles latency: (n − 1)/n · S / B + (n − 1)·α.
    const big = problemWork('big', parseLayerSpec('conv:K=64,C=64,P=56,Q=56,R=3,S=3'));
    const [l] = planNetwork({ model: 'm', mode: 'infer', batch: 1, layers: big }, rapid, 'int4').layers;
    const cycles = (kind: string) => l!.nests[0]!.partitions.find((x) => x.part.kind === kind)!.part.transferCycles;
    // Inputs 64·58·58 = 215,296 elements at 4 bits = 107,648 bytes: 3/4 · 107648 / 128 + 24 = 654.75 → 655.
    expect(cycles('output-channels')).toBe(655);
    // Outputs 64·56·56 = 200,704 partial sums at 16 bits = 401,408 bytes: 3/4 · 401408 / 128 + 24 = 2376.
    expect(cycles('input-channels')).toBe(2376);
    // Without a precision: the problem's own 16-bit operands, 3/4 · 430592 / 128 + 24 = 2547.
    const [plain] = planNetwork({ model: 'm', mode: 'infer', batch: 1, layers: big }, rapid).layers;
    expect(plain!.nests[0]!.partitions.find((x) => x.part.kind === 'output-channels')!.part.transferCycles).toBe(2547);
  });
});

describe('ops without MACs move their elements at the operand bits', () => {
  it('int4: a ReLU over 25,088 elements reads and writes 6,272 words each; its DRAM energy is a quarter of the unflagged one', () => {
    const g = new GraphBuilder('relu');
    const y = g.relu(g.input('x', [1, 8, 56, 56], 'float32'));
    const relu = layerWork(g.build([y]));
    const [int4] = planNetwork({ model: 'm', mode: 'infer', batch: 1, layers: relu }, rapid, 'int4').layers;
    const [plain] = planNetwork({ model: 'm', mode: 'infer', batch: 1, layers: relu }, rapid).layers;
    expect([int4!.read, int4!.written]).toEqual([6272, 6272]);
    expect([plain!.read, plain!.written]).toEqual([25088, 25088]);
    const dram = rapid.levels[0]!;
    const ops = relu[0]!.counts.otherFlops;
    const opPj = ops * rapid.vector.energyPerOpPj;
    // Blocks of 32 words: 6272 / 32 = 196 read and 196 written at int4; 784 and 784 unflagged.
    const v4 = vectorLayer(int4!, rapid), v16 = vectorLayer(plain!, rapid);
    expect(v4.energyPj).toBeCloseTo(opPj + 196 * (dram.energy.readPj + dram.energy.updatePj), 6);
    expect(v16.energyPj).toBeCloseTo(opPj + 784 * (dram.energy.readPj + dram.energy.updatePj), 6);
    // The 32 lanes need 25088 / 32 = 784 cycles; the transfer 12544 words ÷ 32 per cycle = 392 at int4, 50176 ÷ 32 = 1568 unflagged; split over 4 cores.
    expect(ops).toBe(25088);
    expect([v4.cycles, v4.bound, v4.boundCycles]).toEqual([196, 'compute', 196]);
    expect([v16.cycles, v16.bound, v16.boundCycles]).toEqual([392, 'memory', 392]);
  });
});
