import { describe, expect, it } from 'vitest';
import { loadDevice } from '../device/load.js';
import { nodeCounts } from '../workload/counts.js';
import { loadGraph } from '../workload/load.js';
import type { ConvGeometry } from '../workload/ops/conv.js';
import { convOptions, fftCost, isConvolution, winogradCost } from './conv-algos.js';
import { mappedTimes, rooflineTimes } from '../characterize/times.js';

/** N = 1, C = 2, K = 3, a 4×4 input, 3×3 kernel, padding 1: a 4×4 output. */
const small: ConvGeometry = { N: 1, C: 2, K: 3, group: 1, inSize: [4, 4], kernel: [3, 3], outSize: [4, 4], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1] };

describe('convolution algorithm classes', () => {
  it('Winograd F(2×2,3×3) by hand', () => {
    // tiles: 1 · ⌈4/2⌉ · ⌈4/2⌉ = 4; direct MACs 1·3·16·2·9 = 864, Winograd 16·4·2·3 = 384 (2.25× fewer)
    const w = winogradCost(small)!;
    expect(w.macs).toBe(384);
    expect(864 / w.macs).toBe(2.25);
    // transforms: 32·4·2 (inputs) + 24·4·3 (outputs) + 35·2·3 (filters)
    expect(w.transformFlops).toBe(256 + 288 + 210);
    // fused: only the transformed filters are stored, 16·C·K = 16·2·3
    expect(w.workspaceElements).toBe(96);
  });

  it('FFT by hand', () => {
    // padded 6×6, half spectrum 6·4 = 24; maps N·C + C·K + N·K = 2 + 6 + 3 = 11
    const f = fftCost(small)!;
    expect(f.macs).toBe(4 * 1 * 3 * 2 * 24);
    expect(f.transformFlops).toBeCloseTo(2.5 * 36 * Math.log2(36) * 11, 9);
    expect(f.workspaceElements).toBe(2 * 24 * 11);
  });

  it('applies transforms only to unstrided, undilated, ungrouped 2-D convolutions', () => {
    expect(winogradCost({ ...small, strides: [2, 2] })).toBeUndefined();
    expect(fftCost({ ...small, strides: [2, 2] })).toBeUndefined();
    expect(winogradCost({ ...small, dilations: [2, 2] })).toBeUndefined();
    expect(winogradCost({ ...small, group: 2 })).toBeUndefined();
    expect(winogradCost({ ...small, kernel: [5, 5] })).toBeUndefined();
    // FFT takes any kernel: its transforms have the padded input's size (6×6 here), whatever the kernel's
    expect(fftCost({ ...small, kernel: [5, 5] })).toMatchObject({ method: 'fft', macs: 4 * 1 * 3 * 2 * 24, workspaceElements: 2 * 24 * 11 });
    expect(fftCost({ ...small, kernel: [1, 1], pads: [0, 0, 0, 0] })).toBeUndefined();
  });

  it('fast is never slower than lean and lean needs no workspace', () => {
    const device = loadDevice('titan-x');
    const times = rooflineTimes(device);
    for (const model of ['alexnet', 'googlenet', 'resnet18']) {
      const graph = loadGraph(model, { batch: 8, mode: 'train' });
      for (const node of graph.nodes.filter(isConvolution)) {
        const o = convOptions(graph, node, nodeCounts(graph, node), times);
        expect(o.fast.seconds).toBeLessThanOrEqual(o.lean.seconds);
        expect(o.lean.workspaceBytes).toBe(0);
        expect(o.lean.seconds).toBe(times.seconds(graph, node));
        if (o.fast.method === 'implicit-gemm') expect(o.fast).toEqual(o.lean);
        else expect(o.fast.workspaceBytes).toBeGreaterThan(0);
      }
    }
  });

  it('a time source that times nodes only as given leaves one algorithm', () => {
    const device = loadDevice('titan-x');
    const graph = loadGraph('alexnet', { batch: 8, mode: 'train' });
    const times = mappedTimes({}, rooflineTimes(device), 'empty map');
    for (const node of graph.nodes.filter(isConvolution)) {
      const o = convOptions(graph, node, nodeCounts(graph, node), times);
      expect(o.fast).toEqual(o.lean);
    }
  });
});
