import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadArch } from '../arch/load.js';
import { parseLayerSpec } from '../problem/parse.js';
import { isAccelmapError } from '../util/errors.js';
import { unconstrained } from './constraints.js';
import { loadConstraintsFile } from './constraints-file.js';
import { applyUserConstraints } from './user-constraints.js';
import { dataflowConstraints } from './dataflows.js';
import { parseObjective } from './objective.js';
import { searchProblem } from './search.js';

const dir = mkdtempSync(join(tmpdir(), 'accelmap-constraints-'));
const write = (text: string) => {
  const f = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, text);
  return f;
};
const arch = loadArch('eyeriss');
const conv = parseLayerSpec('conv:K=64,C=64,P=56,Q=56,R=3,S=3');
const D = conv.dims.length, at = (l: number, d: string) => l * D + conv.dims.indexOf(d);

describe('user constraints', () => {
  it('fix factors and orders, narrow spatial dims, pin keeps, and the search obeys', () => {
    const user = loadConstraintsFile(
      write(`constraints:
  - { target: DRAM, type: temporal, factors: "R=1 S=1 K=4", permutation: "QPCK" }
  - { target: GlobalBuffer, type: spatial, x: [Q], y: [C] }
  - { target: GlobalBuffer, type: bypass, bypass: [Outputs] }
  - { type: utilization, min: 0.5 }
`),
    );
    const c = applyUserConstraints(unconstrained(conv, arch), user, conv, arch);
    expect(c.minUtilization).toBe(0.5);
    expect(c.levels[0]!.temporalFixed.get(conv.dims.indexOf('K'))).toBe(4);
    const r = searchProblem(conv, arch, c, { strategy: 'anneal', objective: parseObjective('edp'), budget: { evaluations: 3000 }, seed: 2 });
    const m = r.mapping!;
    expect([m.temporal[at(0, 'K')], m.temporal[at(0, 'R')], m.temporal[at(0, 'S')]]).toEqual([4, 1, 1]);
    expect(Array.from(m.order.slice(D - 4, D), (d) => conv.dims[d])).toEqual(['K', 'C', 'P', 'Q']);
    for (const d of conv.dims) {
      if (d !== 'Q') expect(m.spatialX[at(1, d)]).toBe(1);
      if (d !== 'C') expect(m.spatialY[at(1, d)]).toBe(1);
    }
    expect(m.keep[1 * 3 + 2]).toBe(0);
    let units = 1;
    for (let i = 0; i < m.spatialX.length; i++) units *= m.spatialX[i]! * m.spatialY[i]!;
    expect(units).toBeGreaterThanOrEqual(0.5 * 168);
  });

  it('narrow a dataflow rather than widen it', () => {
    const user = loadConstraintsFile(write('constraints:\n  - { target: GlobalBuffer, type: spatial, dims: [K, P] }\n'));
    const c = applyUserConstraints(dataflowConstraints('ws', conv, arch), user, conv, arch);
    // ws allows K on X and C R S on Y; with K and P allowed only K survives.
    expect([...c.levels[1]!.spatialX!].map((d) => conv.dims[d])).toEqual(['K']);
    expect([...c.levels[1]!.spatialY!]).toEqual([]);
  });

  it('point at the faulty entry', () => {
    const f = write('constraints:\n  - { target: DRAM, type: temporal }\n  - { target: Nowhere, type: temporal }\n');
    try {
      applyUserConstraints(unconstrained(conv, arch), loadConstraintsFile(f), conv, arch);
      throw new Error('no error');
    } catch (e) {
      expect(isAccelmapError(e)).toBe(true);
      expect((e as { render(): string }).render()).toMatch(/:3:7 constraints\[1\]\.target: unknown level 'Nowhere'/);
    }
  });
});
