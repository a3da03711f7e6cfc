import { describe, expect, it } from 'vitest';
import type { StoredDesign } from './store.js';
import { evalWhere, filterDesigns, parseWhere } from './where.js';

function design(hash: string, knobs: StoredDesign['knobs'], areaMm2: number, latencyS: number | null): StoredDesign {
  return { hash, space: 's', knobs, status: latencyS === null ? 'infeasible' : 'ok', reason: null, areaMm2, sramBytes: 0, latencyS, energyPj: latencyS === null ? null : 1, workloads: [], settings: {}, layers: [] };
}

const DESIGNS = [
  design('a', { pe_x: 8, glb: '32KiB', clock: '200MHz' }, 1.5, 2e-3),
  design('b', { pe_x: 14, glb: '108KiB', clock: '400MHz' }, 1.9, 1e-3),
  design('c', { pe_x: 14, glb: '32KiB', clock: '200MHz' }, 2.5, 1.5e-3),
  design('d', { pe_x: 8, glb: '108KiB', clock: '400MHz' }, 1.2, null),
];
const kept = (expr: string) => filterDesigns(DESIGNS, expr).map((d) => d.hash).join('');

describe('--where filters', () => {
  it('compares knobs and figures, with and/or/not and parentheses', () => {
    expect(kept('area<=2 and pe_x=14')).toBe('b');
    expect(kept('area <= 2 or pe_x == 14')).toBe('abcd');
    expect(kept('not pe_x=14')).toBe('ad');
    expect(kept('pe_x!=14 and (area<1.3 or area>1.4)')).toBe('ad');
    // and binds tighter than or
    expect(kept('pe_x=8 and area>1.4 or hash=c')).toBe('ac');
    expect(kept('status=infeasible')).toBe('d');
  });

  it('reads sizes and clocks in their units, and matches nothing on a missing figure', () => {
    expect(kept('glb>=64KiB')).toBe('bd');
    expect(kept('glb=32768')).toBe('ac');
    expect(kept('clock<0.3GHz')).toBe('ac');
    expect(kept("glb='108KiB'")).toBe('bd');
    expect(kept('latency<1.8e-3')).toBe('bc');
    expect(kept('not latency<1')).toBe('d');
  });

  it('parses into a tree where and binds tighter than or', () => {
    expect(parseWhere('x=1 or y<2 and not z>=3')).toEqual({
      kind: 'or',
      left: { kind: 'cmp', field: 'x', op: '=', value: 1 },
      right: { kind: 'and', left: { kind: 'cmp', field: 'y', op: '<', value: 2 }, right: { kind: 'not', expr: { kind: 'cmp', field: 'z', op: '>=', value: 3 } } },
    });
    expect(evalWhere(parseWhere('name = "a b"'), () => 'a b')).toBe(true);
  });

  it('names the flag in one line for a bad filter', () => {
    for (const [expr, why] of [
      ['', /is empty/],
      ['area<=', /expected a value after 'area<='/],
      ['area 2', /expected a comparison/],
      ['(area<2', /'\(' is not closed/],
      ['area<2 pe_x=8', /unexpected 'pe_x'/],
      ['area<2; drop table designs', /unexpected ';'/],
      ['speed<2', /no field 'speed' \(knobs here: pe_x, glb, clock\)/],
      ['status<2', /orders a value that is not a number \('ok'\)/],
      ["hash='a", /not closed/],
    ] as const) {
      expect(() => filterDesigns(DESIGNS, expr)).toThrow(/^--where '.*': /);
      expect(() => filterDesigns(DESIGNS, expr)).toThrow(why);
    }
  });
});
