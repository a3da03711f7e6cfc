import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { presetPath } from '../../util/paths.js';
import { errorOf } from '../../util/test-util.js';
import { parseTopology, readTopology, type TopologyForm } from './topology.js';

const CONV_HEADER = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,';

const topologyError = (text: string, form: TopologyForm = 'conv') => errorOf(() => parseTopology(text, 't.csv', form)).render();

describe('SCALE-Sim topology reader', () => {
  it('reads the convolution form with its trailing commas and padded cells', () => {
    const layers = parseTopology(`${CONV_HEADER}\nConv1     ,224         ,224        ,11           ,11          ,3       ,96        ,4      ,\n\nConv2, 27, 27, 5, 5, 96, 256, 1, 2,\n`, 't.csv', 'conv');
    expect(layers).toEqual([
      { kind: 'conv', name: 'Conv1', ifmapHeight: 224, ifmapWidth: 224, filterHeight: 11, filterWidth: 11, channels: 3, filters: 96, strideHeight: 4, strideWidth: 4 },
      { kind: 'conv', name: 'Conv2', ifmapHeight: 27, ifmapWidth: 27, filterHeight: 5, filterWidth: 5, channels: 96, filters: 256, strideHeight: 1, strideWidth: 2 },
    ]);
  });

  it('reads the GEMM form', () => {
    expect(parseTopology('Layer, M, N, K,\nQKV, 128, 2304, 768,\r\n', 't.csv', 'gemm')).toEqual([{ kind: 'gemm', name: 'QKV', m: 128, n: 2304, k: 768 }]);
  });

  it('gives one-line errors with the file, line and column', () => {
    expect(topologyError(`${CONV_HEADER}\nConv1, 224, 224, 11, 11, 3, 96,`)).toBe('t.csv:2 Strides: missing value — a line has 8 values: Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides');
    expect(topologyError(`${CONV_HEADER}\nConv1, 224, 224, 11, 11, 3, 9.6, 4,`)).toBe("t.csv:2 Num Filter: '9.6' is not a positive integer");
    expect(topologyError(`${CONV_HEADER}\nConv1, 224, 224, 11, 11, 3, 96, 0,`)).toBe("t.csv:2 Strides: '0' is not a positive integer");
    expect(topologyError(`${CONV_HEADER}\nConv1, 5, 5, 11, 11, 3, 96, 4,`)).toBe('t.csv:2 Conv1: filter 11×11 is larger than the ifmap 5×5');
    expect(topologyError(`${CONV_HEADER}\nConv1, 224, 224, 11, 11, 3, 96, 4, 4, 7,`)).toBe("t.csv:2: unexpected value '7' after Stride Width");
    expect(topologyError('Layer, M, N, K,\nA, 1, 2, 3,')).toBe('t.csv:1: the header is that of a GEMM topology (Layer, M, N, K) — pass --gemm');
    expect(topologyError(`${CONV_HEADER}\nConv1, 224, 224, 11, 11, 3, 96, 4,`, 'gemm')).toMatch(/^t\.csv:1: expected the GEMM header .* — drop --gemm for a convolution topology$/);
    expect(topologyError('Layer, M, N, K,\nA, 1, 2,', 'gemm')).toMatch(/^t\.csv:2 K: missing value/);
    expect(topologyError(`${CONV_HEADER}\n`)).toBe('t.csv: no layers after the header');
    expect(topologyError('')).toMatch(/^t\.csv: empty topology/);
  });

  it('reads every shipped topology', () => {
    const csvs = readdirSync(presetPath('scalesim')).filter((f) => f.endsWith('.csv'));
    expect(csvs.length).toBeGreaterThanOrEqual(4);
    for (const f of csvs) expect(readTopology(presetPath('scalesim', f), f.includes('gemm') ? 'gemm' : 'conv').length).toBeGreaterThan(0);
  });
});
