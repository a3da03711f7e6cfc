import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadArch } from '../arch/load.js';
import { parseLayerSpec } from '../problem/parse.js';
import { isAccelmapError } from '../util/errors.js';
import { mappingFromDirectives, mappingToDirectives } from './directives.js';
import { randomCase } from './testing/random-cases.js';

describe('Timeloop-style mapping directives', () => {
  it('round-trip any mapping whose dims each use one spatial axis', () => {
    fc.assert(
      fc.property(fc.noShrink(fc.integer({ min: 1, max: 2 ** 31 - 1 })), (seed) => {
        const { problem, arch, mapping } = randomCase(seed);
        for (let i = 0; i < mapping.spatialY.length; i++) if (mapping.spatialX[i]! > 1 && mapping.spatialY[i]! > 1) mapping.spatialY[i] = 1;
        const back = mappingFromDirectives(JSON.parse(JSON.stringify(mappingToDirectives(problem, arch, mapping))), problem, arch);
        expect([...back.temporal]).toEqual([...mapping.temporal]);
        expect([...back.spatialX]).toEqual([...mapping.spatialX]);
        expect([...back.spatialY]).toEqual([...mapping.spatialY]);
        expect([...back.order]).toEqual([...mapping.order]);
        expect([...back.keep]).toEqual([...mapping.keep]);
      }),
      { numRuns: 300, seed: 9 },
    );
  });

  it('reads factors, permutations (innermost first), split, bypass and 0 = the rest', () => {
    const arch = loadArch('eyeriss');
    const p = parseLayerSpec('conv:K=64,C=64,P=56,Q=56,R=3,S=3');
    const m = mappingFromDirectives(
      [
        { target: 'DRAM', type: 'temporal', factors: 'K=4 C=0 P=7 Q=4', permutation: 'QPCK' },
        { target: 'GlobalBuffer', type: 'spatial', factors: 'Q=14 R=3 C=4', permutation: 'QRC', split: 1 },
        { target: 'GlobalBuffer', type: 'temporal', factors: { K: 4, P: 8 }, permutation: 'PK' },
        { target: 'WeightSpad', type: 'temporal', factors: 'C=4 K=4 S=3' },
        { target: 'glob albuffer'.replace(' ', ''), type: 'datatype', keep: ['Inputs'], bypass: ['Outputs'] },
      ],
      p,
      arch,
    );
    const D = p.dims.length, at = (l: number, d: string) => l * D + p.dims.indexOf(d);
    expect(m.temporal[at(0, 'C')]).toBe(4); // 64 / (4 spatial · 4 in WeightSpad)
    expect(m.spatialX[at(1, 'Q')]).toBe(14);
    expect([m.spatialY[at(1, 'R')], m.spatialY[at(1, 'C')]]).toEqual([3, 4]);
    // DRAM order, outermost first: the unlisted dims, then K C P Q (the reverse of "QPCK").
    expect(Array.from(m.order.slice(0, D), (d) => p.dims[d]).slice(-4)).toEqual(['K', 'C', 'P', 'Q']);
    expect([m.keep[1 * 3 + 1], m.keep[1 * 3 + 2], m.keep[1 * 3 + 0]]).toEqual([1, 0, 0]);
  });

  it('says which directive is wrong', () => {
    const arch = loadArch('eyeriss');
    const p = parseLayerSpec('conv:K=64,C=64,P=56,Q=56,R=3,S=3');
    for (const [dirs, msg] of [
      [[{ target: 'L9', type: 'temporal' }], /\[0\]\.target: unknown level 'L9'/],
      [[{ target: 'DRAM', type: 'temporal', factors: 'Z=2' }], /\[0\]\.factors: unknown dimension 'Z'/],
      [[{ target: 'DRAM', type: 'temporal', factors: 'K=two' }], /'K=two' is not DIM=factor/],
      [[{ target: 'DRAM', type: 'temporal' }, { target: 'DRAM', type: 'temporal' }], /\[1\]\.type: a second temporal directive for DRAM/],
      [[{ target: 'DRAM', type: 'bypass', keep: ['Psums'] }], /unknown data space 'Psums'/],
      [[{ target: 'DRAM', type: 'spatial_', factors: 'K=2' }], /\[0\]\.type/],
    ] as const) {
      try {
        mappingFromDirectives(dirs, p, arch);
        throw new Error('no error');
      } catch (e) {
        expect(isAccelmapError(e)).toBe(true);
        expect((e as { render(): string }).render()).toMatch(msg);
      }
    }
  });
});
