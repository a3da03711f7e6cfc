import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadArch } from '../../arch/load.js';
import { mappingFromDirectives } from '../../mapping/directives.js';
import { mappingFor } from '../../mapping/mapping.js';
import { randomArch, randomMapping, randomProblem } from '../../mapping/testing/random-cases.js';
import { parseLayerSpec } from '../../problem/parse.js';
import { Rng } from '../../util/rng.js';
import { errorOf } from '../../util/test-util.js';
import { readTimeloopMapping, timeloopMappingYaml, type TimeloopMappingFormat } from './mapping.js';
import { parseTimeloopYaml } from './source.js';

const arch = loadArch('eyeriss');
const problem = parseLayerSpec('conv:K=64,C=64,P=56,Q=56,R=3,S=3');
const D = problem.dims.length;
const at = (l: number, d: string) => l * D + problem.dims.indexOf(d);
const read = (text: string) => readTimeloopMapping(parseTimeloopYaml(text, 'm.yaml'), problem, arch);


describe('Timeloop mappings', () => {
  it('any mapping written out reads back identically (v0.3 and v0.4 forms)', () => {
    fc.assert(
      fc.property(fc.noShrink(fc.integer({ min: 1, max: 2 ** 31 - 1 })), fc.constantFrom<TimeloopMappingFormat>('v0.3', 'v0.4'), (seed, format) => {
        const rng = new Rng(seed);
        const p = randomProblem(rng);
        const a = randomArch(rng);
        const m = randomMapping(rng, p, a, 0);
        // A dimension spread over both axes of one fan-out has no Timeloop directive: fold it onto X.
        for (let i = 0; i < m.spatialX.length; i++) {
          if (m.spatialX[i]! > 1 && m.spatialY[i]! > 1) {
            m.spatialX[i]! *= m.spatialY[i]!;
            m.spatialY[i] = 1;
          }
        }
        // Timeloop cuts a factor above its dimension to the dimension: no such factors here.
        fc.pre([m.temporal, m.spatialX, m.spatialY].every((arr) => arr.every((f, i) => f <= p.bounds[i % p.dims.length]!)));
        const text = timeloopMappingYaml(p, a, m, format);
        const back = readTimeloopMapping(parseTimeloopYaml(text, 'out.yaml'), p, a);
        expect(back.notes).toEqual([]);
        expect([...back.mapping.temporal]).toEqual([...m.temporal]);
        expect([...back.mapping.spatialX]).toEqual([...m.spatialX]);
        expect([...back.mapping.spatialY]).toEqual([...m.spatialY]);
        expect([...back.mapping.order]).toEqual([...m.order]);
        expect([...back.mapping.keep]).toEqual([...m.keep]);
      }),
      { numRuns: 200, seed: 17 },
    );
  });

  it("read accelmap's own directive files the way accelmap does", () => {
    // docs/examples' mapping, in accelmap's directive format, is also a Timeloop mapping.
    const text = `mapping:
  - { target: DRAM, type: temporal, factors: "N=1 K=4 C=4 P=7 Q=4 R=1 S=1", permutation: "QPCKN" }
  - { target: GlobalBuffer, type: temporal, factors: "K=4 P=8", permutation: "PK" }
  - { target: GlobalBuffer, type: spatial, factors: "Q=14 R=3 C=4", permutation: "QRC", split: 1 }
  - { target: GlobalBuffer, type: bypass, keep: [Inputs, Outputs], bypass: [Weights] }
  - { target: WeightSpad, type: temporal, factors: "C=4 K=4", permutation: "CK" }
  - { target: PsumSpad, type: temporal, factors: "S=3", permutation: "S" }
`;
    const ours = mappingFromDirectives(parseTimeloopYaml(text, 'm.yaml').value, problem, arch);
    const theirs = read(text).mapping;
    // accelmap's directives keep what each level's spec allows; Timeloop keeps everything unless told.
    expect([...theirs.temporal]).toEqual([...ours.temporal]);
    expect([...theirs.spatialX]).toEqual([...ours.spatialX]);
    expect([...theirs.spatialY]).toEqual([...ours.spatialY]);
    expect([...theirs.order]).toEqual([...ours.order]);
  });

  it('read the forms Timeloop accepts', () => {
    const expected = mappingFor(problem, arch);
    expected.temporal[at(0, 'K')] = 16;
    expected.temporal[at(0, 'P')] = 56;
    expected.spatialX[at(1, 'Q')] = 14;
    expected.spatialY[at(1, 'C')] = 12;
    const forms = [
      // R3-style factors, a list, the mapping: key
      `mapping:\n  - {target: DRAM, type: temporal, factors: K16 P56}\n  - {target: GlobalBuffer, type: spatial, factors: Q14 C12, permutation: QC, split: 1}\n`,
      // a bare list, factors as a list and as a map, numeric targets (0 = innermost)
      `- {target: 4, type: temporal, factors: [K=16, P=56]}\n- {target: 3, type: spatial, factors: {Q: 14, C: 12}, permutation: [Q, C], split: 1}\n`,
      // targets with nested constraints and attributes
      `mapping:\n  targets:\n    - target: DRAM\n      constraints:\n        - {type: temporal, attributes: {factors: K=16 P=56}}\n    - target: GlobalBuffer\n      constraints:\n        - {type: spatial, factors: Q=14 C=12, permutation: Q C, split: 1}\n`,
    ];
    for (const text of forms) {
      const m = read(text).mapping;
      expect([...m.temporal], text).toEqual([...expected.temporal]);
      expect([...m.spatialX], text).toEqual([...expected.spatialX]);
      expect([...m.spatialY], text).toEqual([...expected.spatialY]);
      expect([...m.keep], text).toEqual(new Array(arch.levels.length * 3).fill(1));
    }
  });

  it('permutations list the innermost loop first; unlisted dimensions go outside', () => {
    const m = read('mapping:\n  - {target: DRAM, type: temporal, factors: K=4 C=4 P=7, permutation: PC}\n').mapping;
    const order = Array.from(m.order.slice(0, D), (d) => problem.dims[d]);
    expect(order).toEqual(['N', 'K', 'Q', 'R', 'S', 'C', 'P']);
  });

  it('a spatial directive without split fills X while it fits the mesh, then Y', () => {
    const m = read('mapping:\n  - {target: GlobalBuffer, type: spatial, factors: Q=7 K=2 C=12, permutation: QKC}\n').mapping;
    // The fan-out into InputSpad is 14 × 12: Q7·K2 = 14 fit X, C goes to Y.
    expect([m.spatialX[at(1, 'Q')], m.spatialX[at(1, 'K')], m.spatialY[at(1, 'C')]]).toEqual([7, 2, 12]);
  });

  it('note 0 (the whole dimension) and factors above the dimension, as Timeloop warns', () => {
    const { mapping, notes } = read('mapping:\n  - {target: DRAM, type: temporal, factors: K=0 P=60}\n');
    expect([mapping.temporal[at(0, 'K')], mapping.temporal[at(0, 'P')]]).toEqual([64, 56]);
    expect(notes.map((n) => `${n.line}:${n.col} ${n.message}`)).toEqual(['2:36 K=0 read as the whole dimension (64)', '2:36 P=60 exceeds the dimension (56): cut to it']);
  });

  it('say which directive is wrong, where', () => {
    for (const [text, message] of [
      ['- {target: GlobalBufer, type: temporal}', /^m\.yaml:1:4 \[0\]\.target: unknown target 'GlobalBufer' \(did you mean GlobalBuffer\?\) — storage levels: DRAM, GlobalBuffer, InputSpad, WeightSpad, PsumSpad$/],
      ['- {target: MAC, type: temporal}', /MAC is the compute unit; directives target storage levels/],
      ['- {target: DRAM, type: temporl}', /\[0\]\.type: unknown directive type 'temporl' \(did you mean temporal\?\)/],
      ['- {target: DRAM, type: temporal, factors: Z=2}', /^m\.yaml:1:34 \[0\]\.factors: unknown dimension 'Z'/],
      ['- {target: DRAM, type: temporal, factors: K=two}', /cannot read factor 'K=two'/],
      ['- {target: DRAM, type: temporal, factors: K<=4}', /'K<=4' is a constraint, not a factor/],
      ['- {target: DRAM, type: temporal, permutation: KKC}', /dimension K appears twice in the permutation/],
      ['- {target: DRAM, type: temporal, factor: K=4}', /\[0\]\.factor: unknown key 'factor' in a mapping directive \(did you mean factors\?\)/],
      ['- {target: DRAM, type: bypass, keep: [Psums]}', /unknown data space 'Psums'/],
      ['- {target: DRAM, type: bypass, keep: [Inputs], bypass: [Inputs]}', /Inputs is both kept and bypassed/],
      ['- {target: DRAM, type: temporal}\n- {target: DRAM, type: temporal}', /^m\.yaml:2:18 \[1\]\.type: a second temporal directive for DRAM/],
      ['- {target: 9, type: temporal}', /no storage level 9 \(0 is the innermost, 4 the outermost\)/],
      ['mappings: []', /^m\.yaml:1:1 mappings: unknown key 'mappings' \(did you mean mapping\?\)/],
    ] as const) {
      expect(errorOf(() => read(text)).render(), text).toMatch(message);
    }
  });
});
