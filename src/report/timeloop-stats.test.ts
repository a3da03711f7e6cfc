import { describe, expect, it } from 'vitest';
import { formatTimeloopStats } from './timeloop-stats.js';

describe('Timeloop-style stats text', () => {
  // A 1-D convolution of 48 MACs on 1 MAC unit under one 64-word buffer, figures chosen by hand.
  const text = formatTimeloopStats({
    compute: { name: 'MACC', instances: 1, meshX: 1, meshY: 1, utilizedInstances: 1, wordBits: 16, energyPerOpPj: 0.5625, cycles: 48, energyPj: 27 },
    levels: [
      {
        level: 'Buffer', instances: 1, meshX: 1, meshY: 1, sizeWords: 64, wordBits: 16, blockSize: 1, clusterSize: 1, readBandwidth: 2, writeBandwidth: 2, cycles: 48, bandwidthThrottling: 1,
        dataSpaces: [
          { dataSpace: 'Outputs', partitionSize: 16, utilizedCapacity: 16, utilizedInstances: 1, scalarReads: 32, scalarUpdates: 48, scalarFills: 0, temporalReductions: 32, energyPerScalarAccessPj: 0.25, energyPerInstancePj: 20, energyPj: 20 },
        ],
        energyPj: 20, leakEnergyPj: 0,
      },
    ],
    summary: { computes: 48, cycles: 48, utilization: 1, energyPj: 47, pjPerCompute: [{ name: 'MACC', pj: 0.5625 }, { name: 'Buffer', pj: 20 / 48 }], totalPjPerCompute: 47 / 48, edpJCycles: 47e-12 * 48, gflopsAt1GHz: (2 * 48 - 16) / 48 },
  });

  it('numbers the levels from the compute unit out, specs then stats, fields aligned at their column', () => {
    const lines = text.split('\n');
    expect(lines.slice(0, 5)).toEqual(['Buffer and Arithmetic Levels', '----------------------------', 'Level 0', '-------', '=== MACC ===']);
    expect(lines).toContain('    Energy-per-op        : 0.563 pJ');
    expect(lines).toContain('Level 1');
    expect(lines).toContain('        Size                 : 64');
    expect(lines).toContain('        Instances            : 1 (1*1)');
    expect(lines).toContain('    Outputs:');
    expect(lines).toContain('        Partition size                           : 16');
    expect(lines).toContain('        Temporal reductions (per-instance)       : 32');
    expect(lines).toContain('        Energy (per-scalar-access)               : 0.25 pJ');
    expect(text).not.toMatch(/Leakage/);
  });

  it('ends with the summary: GFLOPs = (2·48 − 16) / 48, energy in µJ, EDP, pJ per compute by level and in total', () => {
    expect(text.slice(text.indexOf('Summary Stats'))).toBe(
      [
        'Summary Stats',
        '-------------',
        'GFLOPs (@1GHz): 1.67',
        'Utilization: 1.00',
        'Cycles: 48',
        'Energy: 0.00 uJ',
        'EDP(J*cycle): 2.26e-9',
        '',
        'Computes = 48',
        'pJ/Compute',
        '    MACC   = 0.563', // toFixed takes the larger of two equally near: 0.5625 → 0.563
        '    Buffer = 0.417',
        '    Total  = 0.979',
      ].join('\n'),
    );
  });
});
