import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadArch } from '../../arch/load.js';
import { errorOf } from '../../util/test-util.js';
import { archDisagreements, bufferDepths, loadVtaTarget, peakOps } from './spec.js';

describe('VTA target spec', () => {
  it('reads the default preset (VTA default config: 1×16×16, 51.2 GOPS at 100 MHz)', () => {
    const t = loadVtaTarget('vta');
    expect([t.batch, t.blockIn, t.blockOut]).toEqual([1, 16, 16]);
    expect(t.buffers).toEqual({ uop: 32768, input: 32768, weight: 262144, acc: 131072 });
    expect(peakOps(t)).toBe(51.2e9);
    // 32 KiB / 16 B input vectors, 256 KiB / 256 B weight blocks, 128 KiB / 64 B acc vectors, 32 KiB / 4 B uops
    expect(bufferDepths(t)).toEqual({ input: 2048, weight: 1024, acc: 2048, uop: 8192 });
  });

  it('agrees with the analytical mapper on the hardware', () => {
    const t = loadVtaTarget('vta');
    expect(archDisagreements(t, loadArch(t.arch))).toEqual([]);
    const faster = loadVtaTarget('vta', ['dma.bytesPerCycle=16', 'buffers.input=16KiB']);
    expect(archDisagreements(faster, loadArch('vta'))).toEqual(['InputBuffer bytes: arch 32768, target 16384', 'DRAM bytes per cycle: arch 8, target 16']);
  });

  it('applies and checks --set overrides', () => {
    expect(loadVtaTarget('vta', ['alu.initiationInterval=1']).alu.initiationInterval).toBe(1);
    expect(loadVtaTarget('vta', ['clock=200MHz']).clockHz).toBe(2e8);
    const typo = errorOf(() => loadVtaTarget('vta', ['dma.bytesPerCycel=4']));
    expect(typo.code).toBe('bad-flag');
    expect(typo.render()).toContain('did you mean dma.bytesPerCycle?');
    expect(errorOf(() => loadVtaTarget('vta', ['novalue'])).render()).toContain("--set 'novalue' is not KEY=VALUE");
  });

  it('rejects a bad spec with one line naming the file and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vta-spec-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: x\narch: vta\nbatch: 1\nblockIn: 12\nblockOut: 16\ninputBits: 8\nweightBits: 8\naccBits: 32\nbuffers: {uop: 32KiB, input: 32KiB, weight: 256KiB, acc: 128KiB}\ngemm: {pipelineDepth: 4}\nalu: {lanes: 16, initiationInterval: 2, pipelineDepth: 4}\ndma: {bytesPerCycle: 8, latency: 32}\nclock: 100MHz\n');
    const e = errorOf(() => loadVtaTarget(file));
    expect(e.code).toBe('bad-spec');
    expect(e.render()).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:1 blockIn: .*power of two`));
    expect(e.render()).not.toContain('\n');
    const tooBig = errorOf(() => loadVtaTarget('vta', ['buffers.acc=256KiB']));
    expect(tooBig.render()).toContain('buffers.acc: 4096 elements exceed the 2048');
  });
});
