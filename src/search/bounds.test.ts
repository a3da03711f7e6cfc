import { describe, expect, it } from 'vitest';
import { loadArch, loadLayer, searchMapping } from '../api/mapping.js';
import { archFromSpec } from '../arch/load.js';
import type { Convention } from '../mapping/model.js';
import { lowerBound } from './bounds.js';

describe('lower bounds of a loop nest', () => {
  // Brute force: every mapping of a dataflow's space, the best by cycles and the best by energy, against the bound.
  const cases = ['conv:K=4,C=4,P=4,Q=4,R=3,S=3', 'matmul:M=1,N=64,K=64', 'conv:K=8,C=2,P=2,Q=2,R=1,S=1'];
  for (const archName of ['simple-ws', 'eyeriss', 'simba']) {
    for (const convention of ['accelmap', 'timeloop'] as Convention[]) {
      it(`no mapping beats them (${archName}, ${convention}'s convention, every point of ws)`, () => {
        const arch = loadArch(archName);
        for (const spec of cases) {
          const problem = loadLayer(spec);
          const bound = lowerBound(problem, arch, { convention });
          for (const objective of ['latency', 'energy']) {
            const m = searchMapping(problem, arch, { strategy: 'exhaustive', dataflow: 'ws', objective, convention, budget: { evaluations: 100000 } });
            expect(m.complete).toBe(true);
            if (objective === 'latency') expect(m.cost.cycles).toBeGreaterThanOrEqual(bound.cycles);
            else expect(m.cost.energyPj).toBeGreaterThanOrEqual(bound.energyPj);
          }
        }
      });
    }
  }

  it('a memory-bound nest is bounded by its compulsory DRAM traffic (hand count)', () => {
    const arch = loadArch('eyeriss');
    // weights N·K and inputs K read once, outputs N written once
    const b = lowerBound(loadLayer('matmul:M=1,N=1000,K=512'), arch);
    const dram = arch.levels[0]!;
    const words = 1000 * 512 + 512 + 1000;
    expect(b.cycles).toBe(Math.max(words / dram.sharedBandwidth, (1000 * 512 + 512) / dram.readBandwidth, 1000 / dram.writeBandwidth));
    expect(b.energyPj).toBeGreaterThanOrEqual(((1000 * 512 + 512) / dram.blockSize) * dram.energy.readPj);
  });

  it('with a gap, a search stops once its best is that close to the bound, and spends less', () => {
    const arch = loadArch('eyeriss');
    const problem = loadLayer('matmul:M=1,N=1000,K=512');
    const b = lowerBound(problem, arch);
    const budget = { evaluations: 20000, patience: 4000 };
    const full = searchMapping(problem, arch, { budget });
    const early = searchMapping(problem, arch, { budget: { ...budget, gap: 0.02 } });
    expect(early.cost.cycles * early.cost.energyPj).toBeLessThanOrEqual(1.02 * b.cycles * b.energyPj);
    expect(early.evaluated).toBeLessThan(full.evaluated);
    expect(full.cost.cycles * full.cost.energyPj).toBeGreaterThanOrEqual(b.cycles * b.energyPj);
  });

  it('under a narrower precision the bound counts words at their width, and no mapping beats it (every point)', () => {
    // DRAM of 16-bit words at one word per cycle; int8 operands take half a word: 128 + 16 operand words and
    // 8 final outputs are 72 + 4 = 76 DRAM words, so 76 cycles (compute: 128 MACs at 2 per cycle, 64).
    const arch = archFromSpec({
      name: 'two-level', technology: 45, clock: 1e9, wordBits: 16,
      levels: [
        { name: 'DRAM', class: 'dram', blockSize: 1, sharedBandwidth: 1, energy: { read: 10, fill: 10, update: 20 } },
        { name: 'Buffer', class: 'sram', words: 1024, energy: { read: 1, fill: 2, update: 3 } },
      ],
      compute: { precisions: [{ name: 'int8', kind: 'int', operandBits: 8, accumulatorBits: 16, macsPerCycle: 2, energyPerMac: 0.25 }] },
    });
    const problem = loadLayer('matmul:M=1,N=8,K=16');
    const bound = lowerBound(problem, arch, { precision: 'int8' });
    expect(bound.cycles).toBe(76);
    unbeaten(problem, arch, 'int8', bound);
  });

  it("a MAC unit's lanes share operand reads: no mapping beats the bound at 16 MACs per cycle (every point)", () => {
    // 16×16 outputs, no reduction: lanes over 4 m × 4 n read 4 weights and 4 inputs for 16 MACs, a quarter of
    // the reads a bound of one read per MAC and operand counts (outputs cost nothing at the buffer here).
    const arch = archFromSpec({
      name: 'lanes', technology: 45, clock: 1e9, wordBits: 16,
      levels: [
        { name: 'DRAM', class: 'dram', blockSize: 1, sharedBandwidth: 64, energy: { read: 0.001, fill: 0.001, update: 0.001 } },
        { name: 'Buffer', class: 'sram', words: 1024, energy: { read: 1, fill: 0, update: 0 } },
      ],
      compute: { precisions: [{ name: 'int4', kind: 'int', operandBits: 4, accumulatorBits: 16, macsPerCycle: 16, energyPerMac: 0.01 }] },
    });
    const problem = loadLayer('matmul:M=16,N=16,K=1');
    unbeaten(problem, arch, 'int4', lowerBound(problem, arch, { precision: 'int4' }));
  });
});

/** The best mapping by latency and by energy, over every point of the space, against the bound. */
function unbeaten(problem: ReturnType<typeof loadLayer>, arch: ReturnType<typeof archFromSpec>, precision: string, bound: { cycles: number; energyPj: number }) {
  for (const objective of ['latency', 'energy']) {
    const m = searchMapping(problem, arch, { strategy: 'exhaustive', objective, precision, budget: { evaluations: 100000 } });
    expect(m.complete).toBe(true);
    if (objective === 'latency') expect(m.cost.cycles).toBeGreaterThanOrEqual(bound.cycles);
    else expect(m.cost.energyPj).toBeGreaterThanOrEqual(bound.energyPj);
  }
}
