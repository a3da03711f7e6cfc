import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { presetPath } from '../../util/paths.js';
import { readTimeloopArch } from './arch.js';
import { readErt } from './ert.js';
import { readTimeloopMapping } from './mapping.js';
import { readTimeloopProblem } from './problem.js';
import { parseTimeloopYaml, readTimeloopFile } from './source.js';
import { timeloopStats } from './stats.js';

/**
 * Timeloop's cycle, leakage and summary conventions, derived by hand on
 * exercise 01's weight-stationary run (48 MACs; main memory serves 3 weights
 * and 18 inputs and takes 16 output updates; the buffer reads 48 + 48 + 32
 * words and takes 48 updates and 3 + 18 fills).
 */
const ex = (f: string) => presetPath('timeloop', 'exercises', f);

function run(archText: string, ertText: string) {
  const problem = readTimeloopProblem(readTimeloopFile(ex('conv1d.problem.yaml'))).problem;
  const ert = readErt(parseTimeloopYaml(ertText, 'ERT.yaml'));
  const tl = readTimeloopArch(parseTimeloopYaml(archText, 'arch.yaml'), { ert, ertMode: 'per-action' });
  const { mapping } = readTimeloopMapping(readTimeloopFile(ex('conv1d-2level-ws.mapping.yaml')), problem, tl.arch, tl.constraints);
  return timeloopStats(problem, tl, mapping);
}

const ARCH = readFileSync(ex('conv1d-2level.arch.yaml'), 'utf8');
const ERT = readFileSync(ex('conv1d-2level.ERT.yaml'), 'utf8');

describe("Timeloop's cycle and summary conventions", () => {
  it('unthrottled: 48 cycles, utilization 1, GFLOPs = (2·48 − 16) / 48, EDP = J × cycles', () => {
    const s = run(ARCH, ERT);
    expect(s.summary).toMatchObject({ computes: 48, cycles: 48, utilization: 1 });
    expect(s.summary.gflopsAt1GHz).toBe((2 * 48 - 16) / 48);
    expect(s.summary.edpJCycles).toBeCloseTo(s.summary.energyPj * 1e-12 * 48, 20);
    expect(s.levels.map((l) => [l.level, l.cycles, l.bandwidthThrottling])).toEqual([['Buffer', 48, 1], ['MainMemory', 48, 1]]);
    // Energy per scalar access: main memory weights, 3 reads in one 8-word block at 39.878 pJ.
    expect(s.levels[1]!.dataSpaces[0]!.energyPerScalarAccessPj).toBeCloseTo(39.878 / 3, 12);
    // pJ per compute, innermost first, sums to the total.
    const sum = s.summary.pjPerCompute.reduce((a, x) => a + x.pj, 0);
    expect(sum).toBeCloseTo(s.summary.totalPjPerCompute, 12);
  });

  it('bandwidth throttles a level and the slowest level sets the cycles; leakage is paid every cycle', () => {
    // Main memory reads 3 + 18 = 21 words: at 0.25 words/cycle it needs 84 cycles (slowdown
    // 0.25 / (21 / 48) = 4/7); its 16 updates at 1 word/cycle fit in 48. The buffer is not throttled.
    const arch = ARCH.replace('            width: 64\n', '            width: 64\n            read_bandwidth: 0.25\n            write_bandwidth: 1\n');
    const ert = ERT.replace('      idle: {arguments: null, energy: 0.004}\n    System.PE.MACC', '      leak: {arguments: null, energy: 0.5}\n    System.PE.MACC');
    const s = run(arch, ert);
    const [buffer, main] = s.levels;
    expect([main!.cycles, main!.bandwidthThrottling]).toEqual([84, 48 / 84]);
    expect([buffer!.cycles, buffer!.bandwidthThrottling]).toEqual([48, 1]);
    expect(s.summary.cycles).toBe(84);
    expect(s.summary.utilization).toBe(48 / 84);
    // The buffer leaks 0.5 pJ per cycle for all 84 cycles.
    expect(buffer!.leakEnergyPj).toBe(0.5 * 84);
    expect(s.cost.leakEnergyPj).toBe(0.5 * 84);
    const unthrottled = run(ARCH, ERT);
    expect(s.summary.energyPj - unthrottled.summary.energyPj).toBeCloseTo(0.5 * 84, 9);
  });
});
