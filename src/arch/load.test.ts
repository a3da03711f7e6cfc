import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAccelmapError } from '../util/errors.js';
import { presetPath } from '../util/paths.js';
import { listPresets, loadArch } from './load.js';
import { summarizeArch } from './summary.js';
import { findPrecision, peakMacsPerCycle } from './types.js';
import { vectorCost } from './vector.js';

describe('presets', () => {
  it('ships every documented preset and each one loads', () => {
    expect(listPresets()).toEqual(['eyeriss', 'nvdla', 'rapid', 'simba', 'simple-os', 'simple-ws', 'tpu-v1', 'vta']);
    for (const name of listPresets()) expect(loadArch(name).levels.length).toBeGreaterThan(1);
  });

  it('tpu-v1: 256×256 8-bit MACs at 700 MHz = 92 TOPS; ridge ≈ 1350 MAC per byte of 34 GB/s (Jouppi et al. 2017)', () => {
    const a = loadArch('tpu-v1');
    expect(a.compute.instances).toBe(65536);
    expect(a.clockHz).toBe(700e6);
    const tops = (2 * peakMacsPerCycle(a) * a.clockHz) / 1e12;
    expect(Math.abs(tops - 92) / 92).toBeLessThan(0.005);
    const ridge = summarizeArch(a).ridgeMacsPerByte!;
    expect(Math.abs(ridge - 1350) / 1350).toBeLessThan(0.005);
    const ub = a.levels.find((l) => l.name === 'UnifiedBuffer')!;
    const acc = a.levels.find((l) => l.name === 'Accumulators')!;
    expect((ub.capacityWords * ub.wordBits) / 8).toBe(24 * 2 ** 20);
    expect((acc.capacityWords * acc.wordBits) / 8).toBe(4 * 2 ** 20);
  });

  it('vta: 1×16×16 int8 GEMM at 100 MHz = 51.2 GOPS; 32 KiB / 256 KiB / 128 KiB buffers', () => {
    const a = loadArch('vta');
    expect(2 * peakMacsPerCycle(a) * a.clockHz).toBe(51.2e9);
    const bytes = (name: string) => {
      const l = a.levels.find((x) => x.name === name)!;
      return (l.capacityWords * l.wordBits) / 8;
    };
    expect([bytes('InputBuffer'), bytes('WeightBuffer'), bytes('AccBuffer')]).toEqual([32 * 1024, 256 * 1024, 128 * 1024]);
  });

  it('rapid: four cores give the published chip peaks, 26.2 TFLOPS HFP8 and 104.9 TOPS INT4 (ISSCC 2021)', () => {
    const a = loadArch('rapid');
    expect(a.cores.count).toBe(4);
    expect(a.compute.instances).toBe(2 * 8 * 8);
    const chip = (p: string) => (a.cores.count * 2 * peakMacsPerCycle(a, findPrecision(a, p)) * a.clockHz) / 1e12;
    expect(chip('hfp8')).toBeCloseTo(26.2, 1);
    expect(chip('int4')).toBeCloseTo(104.9, 1);
    expect(chip('int4') / chip('hfp8')).toBe(4);
    expect(a.compute.precisions.map((p) => p.name)).toEqual(['fp16', 'hfp8', 'int4', 'int2']);
    expect((a.levels[1]!.capacityWords * a.levels[1]!.wordBits) / 8).toBe(2 * 2 ** 20);
  });

  it('eyeriss: 12×14 PEs, 108 KB buffer, 16-bit, 200 MHz, nn_dataflow energies (460/15/4/1 pJ per word, 2 pJ MAC)', () => {
    const a = loadArch('eyeriss');
    expect(a.compute.instances).toBe(168);
    expect(a.clockHz).toBe(200e6);
    const glb = a.levels[1]!;
    expect((glb.capacityWords * glb.wordBits) / 8).toBe(108 * 1024);
    const perWord = a.levels.map((l) => l.energy.readPj / l.blockSize);
    expect(perWord).toEqual([460, 15, 1, 1, 1]);
    expect(a.levels[2]!.fanOut).toMatchObject({ meshX: 14, meshY: 12, energyPerWordPj: 4 });
    expect(a.compute.precisions[0]!.energyPerMacPj).toBe(2);
  });

  it('derived energies follow the stated table: SRAM ∝ sqrt(size), register files cheaper than buffers, DRAM dearest', () => {
    const a = loadArch('simba');
    const perWord = (name: string) => {
      const l = a.levels.find((x) => x.name === name)!;
      return l.energy.readPj / l.blockSize;
    };
    expect(perWord('DRAM')).toBeGreaterThan(perWord('GlobalBuffer'));
    expect(perWord('GlobalBuffer')).toBeGreaterThan(perWord('PEInputBuffer'));
    // 64 KiB vs 8 KiB at the same width: √8 ≈ 2.83× per word.
    expect(perWord('GlobalBuffer') / perWord('PEInputBuffer')).toBeCloseTo(Math.sqrt(8), 6);
    expect(a.sources.some((s) => s.includes('Horowitz'))).toBe(true);
  });
});

describe('spec errors point at the file, line and field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'accelmap-arch-'));
  const write = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const errorOf = (f: string) => {
    try {
      loadArch(f);
    } catch (e) {
      if (isAccelmapError(e)) return e.render();
      throw e;
    }
    throw new Error('expected an error');
  };

  it('a wrong type', () => {
    const f = write('a.yaml', 'name: x\ntechnology: 45\nclock: 1GHz\nlevels:\n  - name: DRAM\n    class: dram\n  - name: Buf\n    class: sram\n    words: lots\ncompute:\n  precisions: [{ name: int8, operandBits: 8 }]\n');
    expect(errorOf(f)).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9:5 levels\\[1\\]\\.words: .* — see presets`));
  });
  it('an unknown field', () => {
    const f = write('b.yaml', 'name: x\ntechnology: 45\nclock: 1GHz\nlevels:\n  - name: DRAM\n    class: dram\n    capacty: 1KB\ncompute:\n  precisions: [{ name: int8, operandBits: 8 }]\n');
    expect(errorOf(f)).toMatch(/b\.yaml:7:5 levels\[0\]\.capacty: unknown field 'capacty'/);
  });
  it('a missing capacity and an unknown data space', () => {
    const f = write('c.yaml', 'name: x\ntechnology: 45\nclock: 1GHz\nlevels:\n  - name: DRAM\n    class: dram\n  - name: Buf\n    class: sram\ncompute:\n  precisions: [{ name: int8, operandBits: 8 }]\n');
    expect(errorOf(f)).toMatch(/c\.yaml:7:5 levels\[1\]: level 'Buf' needs a capacity/);
    const g = write('d.json', JSON.stringify({ name: 'x', technology: 45, clock: 1e9, levels: [{ name: 'DRAM', class: 'dram' }, { name: 'B', class: 'sram', words: 4, dataSpaces: ['Wts'] }], compute: { precisions: [{ name: 'i', operandBits: 8 }] } }));
    expect(errorOf(g)).toMatch(/d\.json:1:\d+ levels\[1\]\.dataSpaces\[0\]: unknown data space 'Wts' — data spaces are Weights, Inputs, Outputs/);
  });
  it('a bad bandwidth unit and an unknown preset', () => {
    const f = write('e.yaml', 'name: x\ntechnology: 45\nclock: 1GHz\nlevels:\n  - name: DRAM\n    class: dram\n    sharedBandwidth: 3 parsecs\ncompute:\n  precisions: [{ name: int8, operandBits: 8 }]\n');
    expect(errorOf(f)).toMatch(/e\.yaml:7:5 levels\[0\]\.sharedBandwidth: cannot read bandwidth '3 parsecs'/);
    expect(errorOf('no-such-arch')).toMatch(/unknown architecture 'no-such-arch' — presets: eyeriss/);
  });
});

describe('numbers outside their physical range are refused, naming the field, the range and why', () => {
  const dir = mkdtempSync(join(tmpdir(), 'accelmap-ranges-'));
  // [what, preset, text in the preset, replacement, field path, what the message must say]
  const CASES: [string, string, string, string, string, RegExp][] = [
    ['a 0 Hz clock', 'eyeriss', 'clock: 200MHz', 'clock: 0MHz', 'clock', /'0MHz' is 0 Hz: must be a number from 1000 to 1e11 Hz \(digital logic/],
    ['a clock of 1e400 (infinite once read)', 'eyeriss', 'clock: 200MHz', 'clock: 1e400', 'clock', /infinite: must be a number from 1000/],
    ['a 0-byte buffer', 'eyeriss', 'capacity: 108KiB', 'capacity: 0KB', 'levels[1].capacity', /'0KB' is 0 bytes: must be a number above 0 and at most 1\.126e15 bytes/],
    ['a buffer below one word', 'eyeriss', 'capacity: 108KiB', 'capacity: 1B', 'levels[1].capacity', /'1B' is less than one 16-bit word/],
    ['a buffer larger than any memory', 'eyeriss', 'capacity: 108KiB', 'capacity: 4000TiB', 'levels[1].capacity', /at most 1\.126e15 bytes \(.*1 PiB\)/],
    ['1e400 words', 'eyeriss', 'words: 12', 'words: 1e400', 'levels[2].words', /infinite: must be an integer from 1 to/],
    ['an energy that overflows', 'eyeriss', 'energy: { read: 60,', 'energy: { read: 1e400,', 'levels[1].energy.read', /infinite: must be a number from 0 to 1e6 pJ/],
    ['a negative MAC energy', 'eyeriss', 'energyPerMac: 2', 'energyPerMac: -2', 'compute.precisions[0].energyPerMac', /-2 pJ: must be a number above 0 and at most 1e6 pJ \(a MAC costs energy/],
    ['a bandwidth of 1e-300 words per cycle', 'eyeriss', 'sharedBandwidth: 4', 'sharedBandwidth: 1e-300', 'levels[0].sharedBandwidth', /must be a number from 1e-6 to 1e9/],
    ['a bandwidth of 0 GB/s', 'tpu-v1', 'sharedBandwidth: 34GB/s', 'sharedBandwidth: 0GB/s', 'levels[0].sharedBandwidth', /'0GB\/s' is 0: must be a number from 1e-6/],
    ['wordBits: 1e6', 'tpu-v1', 'wordBits: 8', 'wordBits: 1e6', 'wordBits', /1e6: must be an integer from 1 to 64 \(a machine word is 1 to 64 bits\)/],
    ['wordBits: 0', 'eyeriss', 'wordBits: 16', 'wordBits: 0', 'wordBits', /must be an integer from 1 to 64/],
    ['multipleBuffering: 1e9', 'tpu-v1', 'multipleBuffering: 2', 'multipleBuffering: 1e9', 'levels[4].multipleBuffering', /must be a number from 1 to 16 \(copies of a tile/],
    ['a fan-out of 1e6 per axis', 'eyeriss', 'fanOut: { x: 14, y: 12,', 'fanOut: { x: 1000000, y: 12,', 'levels[2].fanOut.x', /must be an integer from 1 to 65536/],
    ['more MAC units than any chip', 'tpu-v1', 'fanOut: { x: 256, y: 256 }', 'fanOut: { x: 65536, y: 65536 }', 'levels[4].fanOut', /4\.295e9 instances: must be an integer from 1 to 1\.678e7 instances/],
    ['cores.count: 1e9', 'rapid', 'count: 4', 'count: 1000000000', 'cores.count', /must be an integer from 1 to 1024/],
    ['a 0 GB/s link', 'rapid', 'linkBandwidth: 128B/cycle', 'linkBandwidth: 0GB/s', 'cores.linkBandwidth', /'0GB\/s' is 0 bytes per cycle: must be a number from 1e-6/],
    ['a 0 nm technology', 'eyeriss', 'technology: 65nm', 'technology: 0nm', 'technology', /'0nm' is 0 nm: must be a number from 1 to 1000 nm/],
    ['a technology node of 1e400', 'eyeriss', 'technology: 65nm', 'technology: 1e400', 'technology', /infinite: must be a number from 1 to 1000 nm/],
    ['a data space declared twice', 'eyeriss', 'dataSpaces: [Inputs, Outputs]', 'dataSpaces: [Inputs, Outputs, Inputs]', 'levels[1].dataSpaces[2]', /data space 'Inputs' is listed twice/],
    ['a clock written as an empty unit', 'eyeriss', 'clock: 200MHz', 'clock: " "', 'clock', /must be a number or a quantity with a unit/],
  ];
  for (const [what, preset, from, to, path, message] of CASES) {
    it(`${what}: ${path}`, () => {
      const text = readFileSync(presetPath('arch', `${preset}.yaml`), 'utf8');
      expect(text).toContain(from);
      const f = join(dir, `${preset}-${CASES.findIndex((c) => c[0] === what)}.yaml`);
      writeFileSync(f, text.replace(from, to));
      let err: unknown;
      try {
        loadArch(f);
      } catch (e) {
        err = e;
      }
      expect(isAccelmapError(err)).toBe(true);
      if (!isAccelmapError(err)) return;
      expect(err.location).toMatchObject({ file: f, path });
      expect(err.location.line).toBeGreaterThan(0);
      expect(err.message).toMatch(message);
    });
  }
});

describe('vector unit', () => {
  it('is compute- or bandwidth-bound, whichever is slower', () => {
    const a = loadArch('eyeriss'); // 14 lanes; DRAM 4 words (8 bytes) per cycle, 460 pJ per word
    const relu = vectorCost(a, { ops: 1400, readWords: 1400, writeWords: 1400 });
    expect(relu.computeCycles).toBe(100);
    expect(relu.transferCycles).toBe(700); // 1400 + 1400 words over a shared 4 words/cycle
    expect(relu.cycles).toBe(700);
    expect(relu.energyPj).toBeCloseTo(1400 * a.vector.energyPerOpPj + (350 + 350) * 1840, 6);
    expect(vectorCost(a, { ops: 0, readWords: 0, writeWords: 0 }).cycles).toBe(0);
  });
});
