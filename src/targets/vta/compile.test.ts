import { describe, expect, it } from 'vitest';
import { seededInputs } from '../../execute/inputs.js';
import { seededParams } from '../../execute/params.js';
import { GraphBuilder } from '../../workload/builder.js';
import type { Graph } from '../../workload/graph.js';
import { clippedRelu, convBnRelu } from '../../workload/zoo/layers.js';
import { compileVta, runReference, runVta, timeLayers } from './compile.js';
import { hasActivation, lowerLayer } from './lower.js';
import { quantizeGraph } from './qgraph.js';
import { loadVtaTarget } from './spec.js';
import { TuningLog } from './tune.js';

/** A small residual CNN: conv-bn-relu, max pool, two conv-bn(-relu) with a residual add and ReLU, a strided 1×1 conv clipped to [0, 0.5], global pool (host), flatten, linear. */
function smallCnn(): Graph {
  const g = new GraphBuilder('small_cnn', { batch: 1 });
  let x = g.input('image', [1, 3, 12, 12]);
  x = convBnRelu(g, x, 24, { kernel: 3, pad: 1, name: 'conv1' });
  x = g.maxPool(x, { kernel: 3, stride: 2, pad: 1, name: 'pool' });
  const y = convBnRelu(g, x, 24, { kernel: 3, pad: 1, name: 'conv2' });
  const z = g.batchNorm(g.conv(y, 24, { kernel: 3, pad: 1, bias: false, name: 'conv3' }), 'conv3.bn');
  x = g.relu(g.add(z, x, 'residual'), 'residual.relu');
  x = clippedRelu(g, g.conv(x, 40, { kernel: 1, stride: 2, bias: true, name: 'conv4' }), 0.5, 'conv4.relu6');
  x = g.flatten(g.globalAvgPool(x, 'gap'), 1, 'flatten');
  return g.build([g.linear(x, 10, { name: 'fc' })]);
}

describe('VTA compile of an int8 graph', () => {
  const graph = smallCnn();
  const params = seededParams(graph, 3);
  const q = quantizeGraph(graph, params, { calibration: [seededInputs(graph, 4), seededInputs(graph, 5)], method: 'max' });

  it('lowers conv, dense, add, ReLU and max pooling; the rest stays on the host with a reason', () => {
    expect(q.layers.map((l) => [l.name, l.kind])).toEqual([
      ['conv1', 'gemm'],
      ['pool', 'maxpool'],
      ['conv2', 'gemm'],
      ['conv3', 'gemm'],
      ['residual', 'add'],
      ['conv4', 'gemm'],
      ['gap', 'host'],
      ['flatten', 'host'],
      ['fc', 'gemm'],
    ]);
    expect(q.layers.find((l) => l.name === 'residual')!.nodes).toEqual(['residual', 'residual.relu']);
    const conv4 = q.layers.find((l) => l.name === 'conv4')!;
    expect(conv4.nodes).toEqual(['conv4', 'conv4.relu6']);
    // the clip's 0.5 at the output's scale 2^e: the upper code bound is 0.5 / 2^e, below 127 when the calibrated range exceeds 0.5
    const e = q.formats.get(conv4.output)!.exp!;
    expect(conv4.kind === 'gemm' && conv4.bounds).toEqual({ lo: 0, hi: Math.min(127, Math.round(0.5 / 2 ** e)) });
    const gap = q.layers.find((l) => l.name === 'gap');
    expect(gap?.kind === 'host' && gap.reason).toBe('GlobalAveragePool is not a VTA operator');
  });

  it('the simulator equals the integer reference bit for bit on every tensor, under default and tiled schedules', () => {
    const feeds = seededInputs(graph, 9);
    const ref = runReference(q, feeds);
    const t = loadVtaTarget('vta');
    const run = runVta(compileVta(t, q), feeds);
    for (const [name, codes] of ref.codes) expect([name, run.codes.get(name)]).toEqual([name, codes]);
    expect(run.outputs).toEqual(ref.outputs);
    // small buffers force weight, input and reduction tiling and two threads still give the same bits
    const small = loadVtaTarget('vta', ['buffers.input=512', 'buffers.weight=2KiB', 'buffers.acc=2KiB']);
    const tiled = runVta(compileVta(small, q), feeds);
    for (const [name, codes] of ref.codes) expect([name, tiled.codes.get(name)]).toEqual([name, codes]);
    // a non-trivial check: the codes are not all zero or saturated
    const conv2 = ref.codes.get(q.layers[2]!.output)!;
    expect(new Set(conv2).size).toBeGreaterThan(20);
  });

  it('the activation run apart (store, load back, an ALU pass) gives the same bits, and moves the output once more each way', () => {
    const t = loadVtaTarget('vta');
    const feeds = seededInputs(graph, 9);
    const fused = compileVta(t, q);
    const withAct = fused.layers.filter((cl) => cl.layer.kind === 'gemm' && hasActivation(cl.layer.bounds));
    const log = new TuningLog(withAct.map((cl) => ({ key: cl.key, layer: cl.layer.name, schedule: { epilogue: 'separate' }, cycles: 0 })));
    const apart = compileVta(t, q, log);
    // conv3 feeds the residual add (no activation of its own) and fc has none
    expect(apart.layers.filter((cl) => cl.lowered.passes.length === 2).map((cl) => cl.layer.name)).toEqual(['conv1', 'conv2', 'conv4']);
    const ref = runReference(q, feeds);
    const run = runVta(apart, feeds);
    for (const [name, codes] of ref.codes) expect([name, run.codes.get(name)]).toEqual([name, codes]);
    // the ALU pass loads the m·n output codes as int32 and stores them as int8, in whole vectors of BATCH × BLOCK_OUT = 16
    const [a, f] = [timeLayers(apart), timeLayers(fused)];
    for (const cl of withAct) {
      const i = fused.layers.indexOf(cl);
      const vectors = Math.ceil(cl.elements / 16) * 16;
      expect(a[i]!.counters.outBytesStored - f[i]!.counters.outBytesStored).toBe(vectors);
      expect(a[i]!.counters.accBytesLoaded - f[i]!.counters.accBytesLoaded).toBe(4 * vectors);
    }
    const conv3 = fused.layers.find((cl) => cl.layer.name === 'conv3')!;
    expect(() => lowerLayer(t, conv3.layer, conv3.elements, { epilogue: 'separate' })).toThrow(/no activation to run apart/);
  });

  it('timing per layer: cycles never below the GEMM micro-ops, utilization within [0, 1]', () => {
    const t = loadVtaTarget('vta');
    for (const f of timeLayers(compileVta(t, q))) {
      expect(f.cycles).toBeGreaterThanOrEqual(f.counters.gemmUops);
      for (const u of Object.values(f.utilization)) expect(u).toBeGreaterThanOrEqual(0), expect(u).toBeLessThanOrEqual(1);
    }
  });
});

describe('VTA compile of resnet18 (32×32 input, seeded weights)', () => {
  it('every conv, dense, add and pooling layer equals the integer reference bit for bit, under default and tuned schedules', async () => {
    const { loadGraph } = await import('../../workload/load.js');
    const { TuningLog, tuneLayer } = await import('./tune.js');
    const graph = loadGraph('resnet18', { imageSize: 32 });
    const q = quantizeGraph(graph, seededParams(graph, 1), { calibration: [seededInputs(graph, 2)], method: 'max' });
    const t = loadVtaTarget('vta');
    const feeds = seededInputs(graph, 7);
    const ref = runReference(q, feeds);
    const log = new TuningLog();
    const compiled = compileVta(t, q);
    for (const cl of compiled.layers) await tuneLayer(t, cl.layer, cl.elements, log, 3, 1);
    for (const c of [compiled, compileVta(t, q, log)]) {
      const run = runVta(c, feeds);
      for (const l of q.layers) expect([l.name, run.codes.get(l.output)]).toEqual([l.name, ref.codes.get(l.output)]);
    }
    expect(q.layers.filter((l) => l.kind === 'gemm')).toHaveLength(21);
  });
});
