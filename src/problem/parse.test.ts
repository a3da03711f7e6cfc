import { describe, expect, it } from 'vitest';
import { isAccelmapError } from '../util/errors.js';
import { layerFromSource } from './load.js';
import { parseLayerSpec } from './parse.js';
import { problemMacs } from './types.js';

describe('compact layer forms', () => {
  it('conv with output sizes', () => {
    const p = parseLayerSpec('conv:N=1,K=64,C=64,P=56,Q=56,R=3,S=3,stride=1');
    expect(p.dims).toEqual(['N', 'K', 'C', 'P', 'Q', 'R', 'S']);
    expect(p.bounds).toEqual([1, 64, 64, 56, 56, 3, 3]);
    expect(problemMacs(p)).toBe(64 * 64 * 56 * 56 * 9);
  });
  it('conv from input size, padding and stride: 224 → 112 for a 7×7/2 pad 3 stem', () => {
    const p = parseLayerSpec('conv:K=64,C=3,H=224,W=224,R=7,S=7,stride=2,pad=3');
    expect(p.bounds.slice(3, 5)).toEqual([112, 112]);
    expect(p.dataSpaces[1]!.projection[2]).toEqual([{ dim: 3, coef: 2 }, { dim: 5, coef: 1 }]);
  });
  it('grouped and depthwise convolutions give the group its own rank', () => {
    const g = parseLayerSpec('conv:K=64,C=32,P=28,Q=28,R=3,S=3,G=4');
    expect(g.dims).toEqual(['G', 'N', 'K', 'C', 'P', 'Q', 'R', 'S']);
    expect(g.bounds).toEqual([4, 1, 16, 8, 28, 28, 3, 3]);
    expect(g.dataSpaces[0]!.projection.length).toBe(5);
    const dw = parseLayerSpec('dwconv:C=32,P=112,Q=112,R=3,S=3');
    expect(dw.kind).toBe('dwconv');
    expect(problemMacs(dw)).toBe(32 * 112 * 112 * 9);
  });
  it('dilation and batch', () => {
    const p = parseLayerSpec('conv:batch=8,K=8,C=8,P=10,Q=10,R=3,S=3,dilation=2');
    expect(p.bounds[0]).toBe(8);
    expect(p.dataSpaces[1]!.projection[3]).toEqual([{ dim: 4, coef: 1 }, { dim: 6, coef: 2 }]);
  });
  it('matmul and batched matmul', () => {
    expect(problemMacs(parseLayerSpec('matmul:M=128,N=768,K=768'))).toBe(128 * 768 * 768);
    const b = parseLayerSpec('matmul:B=12,M=128,N=128,K=64');
    expect(b.dims).toEqual(['B', 'M', 'N', 'K']);
  });
  it('the gradient nests keep the forward MACs', () => {
    const f = problemMacs(parseLayerSpec('conv:K=8,C=4,P=6,Q=6,R=3,S=3,stride=2'));
    expect(problemMacs(parseLayerSpec('conv-grad-input:K=8,C=4,P=6,Q=6,R=3,S=3,stride=2'))).toBe(f);
    expect(problemMacs(parseLayerSpec('conv-grad-weight:K=8,C=4,P=6,Q=6,R=3,S=3,stride=2'))).toBe(f);
  });
  it('rejects bad specs with a hint', () => {
    for (const [spec, msg] of [
      ['conv:K=64', /missing C/],
      ['conv:K=64,C=64,P=56,Q=56,X=3', /unknown key 'X'/],
      ['pool:K=1', /unknown layer kind 'pool'/],
      ['conv:K=6,C=4,P=1,Q=1,G=4', /G=4 must divide C=4 and K=6/],
      ['matmul M=1', /cannot read layer/],
    ] as const) {
      try {
        parseLayerSpec(spec);
        throw new Error('no error');
      } catch (e) {
        expect(isAccelmapError(e)).toBe(true);
        expect((e as Error).message).toMatch(msg);
      }
    }
  });
});

describe('whole problems', () => {
  it('refuse a dimension on two ranks of one data space', () => {
    const p = parseLayerSpec('matmul:M=4,N=4,K=4');
    const diagonal = { ...p, dataSpaces: p.dataSpaces.map((d) => (d.name === 'Outputs' ? { ...d, projection: [d.projection[0]!, d.projection[0]!] } : d)) };
    const read = (value: unknown) => layerFromSource({ file: 'p.json', value, locate: () => undefined });
    expect(read(p).bounds).toEqual(p.bounds);
    let err: unknown;
    try {
      read(diagonal);
    } catch (e) {
      err = e;
    }
    expect(isAccelmapError(err) && err.render()).toMatch(/^p\.json dataSpaces\[2\]\.projection: dimension \w+ indexes two ranks of Outputs \(a diagonal\)/);
  });
});
