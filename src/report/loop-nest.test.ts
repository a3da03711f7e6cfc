import { describe, expect, it } from 'vitest';
import { formatEnergy } from '../util/units.js';
import { loopNest } from './loop-nest.js';

describe('loop nests in the style of map.txt', () => {
  it('lists each level with what it keeps, then its loops outermost first, spatial ones marked', () => {
    const text = loopNest([
      { target: 'DRAM', type: 'temporal', factors: 'K=2 C=1 P=7', permutation: 'PKC' },
      { target: 'DRAM', type: 'bypass', keep: ['Weights', 'Inputs', 'Outputs'], bypass: [] },
      { target: 'Buffer', type: 'temporal', factors: 'K=1 C=3 P=1', permutation: 'CKP' },
      { target: 'Buffer', type: 'spatial', factors: 'K=4 C=2', permutation: 'KC', split: 1 },
      { target: 'Buffer', type: 'bypass', keep: ['Inputs'], bypass: ['Weights', 'Outputs'] },
    ]);
    // DRAM's permutation PKC is innermost first: C (1, left out) outermost, then K, then P.
    expect(text).toBe(
      [
        'DRAM [ Weights Inputs Outputs ]',
        '-------------------------------',
        '| for K in [0:2)',
        '|   for P in [0:7)',
        '',
        'Buffer [ Inputs ]',
        '-----------------',
        '|     for C in [0:3)',
        '|       for K in [0:4) (Spatial-X)',
        '|         for C in [0:2) (Spatial-Y)',
      ].join('\n'),
    );
  });
});

describe('energies', () => {
  it('take the prefix that keeps them between 1 and 1000, four digits, no exponent', () => {
    expect(formatEnergy(81923e6)).toBe('81.92 mJ');
    expect(formatEnergy(1.0075e11)).toBe('100.8 mJ');
    expect(formatEnergy(847.2e6)).toBe('847.2 µJ');
    expect(formatEnergy(12.5)).toBe('12.50 pJ');
    expect(formatEnergy(3e12)).toBe('3.000 J');
  });
});
