import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccelmapError } from '../util/errors.js';
import { presetPath } from '../util/paths.js';
import { contentHash } from './hash.js';
import { constraintViolation, designArch, designKnobs, designSpec, designStatic, loadSpace, spaceSize } from './space.js';

function spaceFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'accelmap-space-')), 'space.yaml');
  writeFileSync(file, text);
  return file;
}

function loadError(text: string): string {
  try {
    loadSpace(spaceFile(text));
  } catch (e) {
    expect(e).toBeInstanceOf(AccelmapError);
    return (e as AccelmapError).render();
  }
  throw new Error('expected an error');
}

describe('design space', () => {
  it('loads the shipped Eyeriss-like space: knob values from lists and ranges', () => {
    const s = loadSpace(presetPath('spaces', 'eyeriss.yaml'));
    expect(s.knobs.find((k) => k.name === 'glb_bw')!.values).toEqual([8, 16, 32]);
    expect(spaceSize(s)).toBe(3 * 3 * 4 * 3 * 2 * 3);
    expect(s.constraints.maxSramBytes).toBe(512 * 1024);
  });

  it('loads the shipped VTA-like space, whose largest design breaks its storage cap', () => {
    const s = loadSpace(presetPath('spaces', 'vta.yaml'));
    const arch = designArch(s, s.knobs.map((k) => k.values.length - 1));
    if ('invalid' in arch) throw new Error(arch.invalid);
    // 64 KiB + 512 KiB + 256 KiB of buffers, against a 768 KiB cap
    expect(designStatic(arch).sramBytes).toBe((64 + 512 + 256) * 1024);
    expect(constraintViolation(s, designStatic(arch))).toMatch(/on-chip storage 851968 B > 786432 B/);
  });

  it('writes each knob into the spec at its path', () => {
    const s = loadSpace(presetPath('spaces', 'eyeriss.yaml'));
    const d = s.knobs.map((k) => k.values.length - 1);
    const arch = designArch(s, d);
    if ('invalid' in arch) throw new Error(arch.invalid);
    const glb = arch.levels.find((l) => l.name === 'GlobalBuffer')!;
    expect((glb.capacityWords * glb.wordBits) / 8).toBe(256 * 1024);
    expect(arch.compute.instances).toBe(16 * 16);
    expect(designKnobs(s, d)).toMatchObject({ pe_x: 16, pe_y: 16, glb: '256KiB' });
  });

  it('counts on-chip storage by hand and filters by the constraints', () => {
    const s = loadSpace(presetPath('spaces', 'eyeriss.yaml'));
    // pe 8×8, GLB 32 KiB, wspad 64 words: 32768 B + 64 PEs × (12 + 64 + 24) words × 2 B = 32768 + 12800
    const d = [0, 0, 0, 0, 0, 0];
    const arch = designArch(s, d);
    if ('invalid' in arch) throw new Error(arch.invalid);
    const st = designStatic(arch);
    expect(st.sramBytes).toBe(32768 + 64 * 100 * 2);
    expect(constraintViolation(s, st)).toBeUndefined();
    expect(constraintViolation({ ...s, constraints: { maxSramBytes: 1000 } }, st)).toMatch(/on-chip storage 45568 B > 1000 B/);
    expect(constraintViolation({ ...s, constraints: { maxAreaMm2: st.areaMm2 / 2 } }, st)).toMatch(/^area/);
  });

  it('hashes content: key order does not matter, any change does', () => {
    const s = loadSpace(presetPath('spaces', 'eyeriss.yaml'));
    const key = { spec: designSpec(s, [0, 0, 0, 0, 0, 0]), workloads: ['a'], mapper: { budget: 1, seed: 1 }, version: '1' };
    const h = contentHash(key);
    expect(contentHash({ version: '1', mapper: { seed: 1, budget: 1 }, workloads: ['a'], spec: key.spec })).toBe(h);
    expect(contentHash({ ...key, spec: designSpec(s, [1, 0, 0, 0, 0, 0]) })).not.toBe(h);
    expect(contentHash({ ...key, mapper: { budget: 2, seed: 1 } })).not.toBe(h);
    expect(contentHash({ ...key, version: '2' })).not.toBe(h);
  });

  it('rejects bad spaces with one line naming the field', () => {
    expect(loadError('name: x\narch: eyeriss\nknobs:\n  - path: levels[name=Nope].capacity\n    values: [1KiB]\n')).toMatch(/space\.yaml:4:\d+ knobs\[0\]\.path: .*no item with name=Nope in levels/);
    expect(loadError('name: x\narch: eyeriss\nknobs:\n  - path: clock\n')).toMatch(/knobs\[0\].*give exactly one of values or range/);
    expect(loadError('name: x\narch: eyeriss\nknobs:\n  - path: clock\n    values: [0Hz]\n')).toMatch(/knobs\[0\]\.values\[0\]: clock = 0Hz gives an invalid spec/);
    expect(loadError('name: x\narch: nosuch\nknobs:\n  - path: clock\n    values: [1MHz]\n')).toMatch(/unknown architecture 'nosuch'/);
    expect(loadError('name: x\narch: eyeriss\nknobs:\n  - path: clock\n    values: [1MHz]\nknobz: []\n')).toMatch(/unknown field 'knobz'/);
    expect(loadError('name: x\narch: eyeriss\nknobs:\n  - path: clock\n    range: { min: 1, max: 2 }\n')).toMatch(/exactly one of step or factor/);
  });
});
