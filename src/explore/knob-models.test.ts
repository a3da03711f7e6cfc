import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccelmapError } from '../util/errors.js';
import { presetPath } from '../util/paths.js';
import { pipelineClockHz, pipelineOverhead } from './knob-models.js';
import { designArch, loadSpace } from './space.js';
import type { Architecture } from '../arch/types.js';

function load(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'accelmap-space-')), 'space.yaml');
  writeFileSync(file, text);
  return loadSpace(file);
}

const arch = (a: ReturnType<typeof designArch>) => {
  if ('invalid' in a) throw new Error(a.invalid);
  return a as Architecture;
};

const SCALE_65 = (65 / 45) ** 2;

describe('knob models', () => {
  it('scales a given MAC energy with operand bits by the multiply ∝ bits², add ∝ bits table', () => {
    const s = load('name: bits\narch: eyeriss\nknobs:\n  - { name: bits, path: "compute.precisions[0].operandBits", values: [16, 8] }\n');
    // Eyeriss gives 2 pJ per 16-bit MAC with a 16-bit accumulator. At 45 nm, Horowitz: 8-bit multiply 0.2 pJ,
    // 16-bit 0.2·2² = 0.8 pJ; 16-bit add 0.1·16/32 = 0.05 pJ. At 8 bits: 2 · (0.2 + 0.05) / (0.8 + 0.05).
    expect(arch(designArch(s, [0])).compute.precisions[0]!.energyPerMacPj).toBe(2);
    expect(arch(designArch(s, [1])).compute.precisions[0]!.energyPerMacPj).toBeCloseTo((2 * 0.25) / 0.85, 12);
    // no area in the spec: the loader's table, 8-bit multiply 282 µm² + 16-bit add 137·16/32 µm², at 65 nm
    expect(arch(designArch(s, [1])).compute.areaUm2).toBeCloseTo((282 + 68.5) * SCALE_65, 6);
    expect(arch(designArch(s, [0])).compute.areaUm2).toBeCloseTo((282 * 4 + 68.5) * SCALE_65, 6);
  });

  it('sets the clock from t_clk = t_logic/d + t_latch and grows the MAC by the latch overhead', () => {
    const m = { logicNs: 4, latchNs: 0.5, energyPerStage: 0.1, areaPerStage: 0.15 };
    expect(pipelineClockHz(m, 1)).toBeCloseTo(1e9 / 4.5, 3);
    expect(pipelineClockHz(m, 4)).toBeCloseTo(1e9 / 1.5, 3);
    expect(pipelineOverhead(m, 4)).toEqual({ energy: 1 + 0.1 * 3, area: 1 + 0.15 * 3 });
    const s = load('name: depth\narch: eyeriss\npipeline: { logicNs: 4, latchNs: 0.5, energyPerStage: 0.1, areaPerStage: 0.15 }\nknobs:\n  - { name: depth, path: pipelineDepth, values: [1, 4] }\n');
    const one = arch(designArch(s, [0]));
    const four = arch(designArch(s, [1]));
    expect(one.clockHz).toBeCloseTo(1e9 / 4.5, 3);
    expect(four.clockHz).toBeCloseTo(1e9 / 1.5, 3);
    expect(one.compute.precisions[0]!.energyPerMacPj).toBe(2);
    expect(four.compute.precisions[0]!.energyPerMacPj).toBeCloseTo(2 * 1.3, 12);
    // the 16-bit MAC of the loader's table (see above) × 1.45
    expect(four.compute.areaUm2).toBeCloseTo((282 * 4 + 68.5) * SCALE_65 * 1.45, 6);
  });

  it('ships a space with both knobs, whose one-stage clock is the Eyeriss preset\'s 200 MHz', () => {
    const s = loadSpace(presetPath('spaces', 'eyeriss-pipeline.yaml'));
    const at = (bits: number, depth: number) => s.knobs.map((k) => k.values.indexOf(k.name === 'bits' ? bits : k.name === 'depth' ? depth : k.values[0]!));
    // 1 / (4.5 ns + 0.5 ns) = 200 MHz; 1 / (4.5/4 + 0.5) ns ≈ 615.4 MHz
    expect(arch(designArch(s, at(16, 1))).clockHz).toBeCloseTo(200e6, 0);
    expect(arch(designArch(s, at(16, 4))).clockHz).toBeCloseTo(1e9 / 1.625, 0);
    expect(arch(designArch(s, at(8, 4))).compute.precisions[0]!.energyPerMacPj).toBeCloseTo(((2 * 0.25) / 0.85) * 1.3, 12);
  });

  it('refuses a depth knob without its model, or a depth that is not a whole number of stages', () => {
    const err = (text: string) => {
      try {
        load(text);
      } catch (e) {
        expect(e).toBeInstanceOf(AccelmapError);
        return (e as AccelmapError).render();
      }
      throw new Error('expected an error');
    };
    expect(err('name: d\narch: eyeriss\nknobs:\n  - { path: pipelineDepth, values: [1, 2] }\n')).toMatch(/knobs\[0\]\.path.*needs the space's pipeline: section/);
    expect(err('name: d\narch: eyeriss\npipeline: { logicNs: 4, latchNs: 0.5, energyPerStage: 0, areaPerStage: 0 }\nknobs:\n  - { path: pipelineDepth, values: [1, 2.5] }\n')).toMatch(/pipeline depth 2\.5 is not a whole number/);
  });
});
