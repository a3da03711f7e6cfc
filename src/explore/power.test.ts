import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadArch } from '../api/mapping.js';
import { AccelmapError } from '../util/errors.js';
import { presetPath } from '../util/paths.js';
import { powerAt, powerModel } from './power.js';
import { constraintViolation, designArch, designKnobs, designStatic, loadSpace, spaceSize, type Design } from './space.js';

const TINY = 'test/fixtures/spaces/tiny.yaml';

function withConstraints(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'accelmap-power-')), 'space.yaml');
  writeFileSync(file, `${readFileSync(TINY, 'utf8')}constraints:\n${text}`);
  return file;
}

describe('power model', () => {
  it('gives the Eyeriss-like preset its peak from the spec by hand', () => {
    // per cycle at a = 1: 168 MACs × 2 pJ = 336; global buffer 16 + 16 words × 60 pJ / 4-word block = 480;
    // three scratchpads × 168 PEs × (2 + 2) words × 1 pJ = 2016; 2832 pJ × 200 MHz = 0.5664 W; no leakage given
    const m = powerModel(loadArch('eyeriss'));
    expect(m.dynamicW).toBeCloseTo(0.5664, 12);
    expect(m.leakW).toBe(0);
    expect(powerAt(m, 0.25)).toBeCloseTo(0.1416, 12);
  });

  it('drops the designs over a power cap at the stated activity', () => {
    // at a = 0.5: 8-wide rows (96 PEs: 192 + 480 + 1152 = 1824 pJ/cycle) draw 0.1824 W at 200 MHz and 0.3648 W at 400 MHz;
    // 14-wide (2832 pJ/cycle) 0.2832 W and 0.5664 W: a 0.3 W cap keeps the four 200 MHz designs
    const space = loadSpace(withConstraints('  maxPower: { watts: 0.3, activity: 0.5 }\n'));
    const kept: Record<string, unknown>[] = [];
    for (let i = 0; i < spaceSize(space); i++) {
      const d: Design = [i % 2, (i >> 1) % 2, (i >> 2) % 2];
      const arch = designArch(space, d);
      if ('invalid' in arch) throw new Error(arch.invalid);
      const why = constraintViolation(space, designStatic(arch));
      if (why === undefined) kept.push(designKnobs(space, d));
      else expect(why).toMatch(/^power 0\.(365|566) W at activity 0\.5 > 0\.3 W$/);
    }
    expect(kept).toHaveLength(4);
    expect(kept.every((k) => k.clock === '200MHz')).toBe(true);
  });

  it('refuses an activity outside (0, 1] in one located line', () => {
    try {
      loadSpace(withConstraints('  maxPower: { watts: 1, activity: 1.5 }\n'));
      throw new Error('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(AccelmapError);
      expect((e as AccelmapError).render()).toMatch(/space\.yaml:\d+:\d+ constraints\.maxPower\.activity/);
    }
  });

  it('refuses a power cap over an arch whose on-chip ports are unbounded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-power-'));
    writeFileSync(join(dir, 'open.yaml'), readFileSync(presetPath('arch', 'eyeriss.yaml'), 'utf8').replace('    readBandwidth: 16\n    writeBandwidth: 16\n', ''));
    const file = join(dir, 'space.yaml');
    writeFileSync(file, 'name: open\narch: open.yaml\nknobs:\n  - { path: clock, values: [200MHz] }\nconstraints:\n  maxPower: { watts: 1, activity: 1 }\n');
    expect(() => loadSpace(file)).toThrow(/a power cap needs every on-chip level's bandwidth, and GlobalBuffer's is unbounded/);
  });
});
