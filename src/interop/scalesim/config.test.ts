import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { presetPath } from '../../util/paths.js';
import { errorOf } from '../../util/test-util.js';
import { parseScaleSimConfig, readScaleSimConfig, toArraySpec } from './config.js';

const base = `[general]
run_name = test_run

[architecture_presets]
ArrayHeight:    32
ArrayWidth:     16
IfmapSramSzkB:   64
FilterSramSzkB:  32
OfmapSramSzkB:   8
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : 10
Dataflow : ws

[run_presets]
InterfaceBandwidth: USER
`;

const configError = (text: string) => errorOf(() => parseScaleSimConfig(text, 'x.cfg')).render();

describe('SCALE-Sim .cfg reader', () => {
  it('reads every field and turns kB into 1-byte words', () => {
    const { config, notes } = parseScaleSimConfig(base, 'x.cfg');
    expect(notes).toEqual([]);
    expect(config).toEqual({
      runName: 'test_run',
      arrayHeight: 32,
      arrayWidth: 16,
      ifmapSramKb: 64,
      filterSramKb: 32,
      ofmapSramKb: 8,
      ifmapOffset: 0,
      filterOffset: 10000000,
      ofmapOffset: 20000000,
      dataflow: 'ws',
      interfaceBandwidth: 'USER',
      bandwidthWordsPerCycle: 10,
    });
    expect(toArraySpec(config)).toEqual({ rows: 32, cols: 16, dataflow: 'ws', sramWords: { ifmap: 65536, filter: 32768, ofmap: 8192 }, dramBandwidth: 10 });
  });

  it('matches keys without regard to case, as configparser does', () => {
    const { config } = parseScaleSimConfig(base.replace('IfmapSramSzkB', 'ifmapsramszkB').replace('Dataflow : ws', 'dataflow = WS'), 'x.cfg');
    expect(config.ifmapSramKb).toBe(64);
    expect(config.dataflow).toBe('ws');
  });

  it('reports keys it does not use, with a suggestion for near misses', () => {
    const text = base.replace('Dataflow : ws', 'Dataflow : ws\nMemoryBanks: 1\nArrayHieght: 8').replace('[run_presets]', '[sparsity]\nSparsitySupport : false\nBlockSize : 8\n\n[run_presets]');
    const { notes } = parseScaleSimConfig(text, 'x.cfg');
    expect(notes.map((n) => `${n.line} ${n.key}: ${n.message}`)).toEqual([
      '15 MemoryBanks: not used: the DRAM model is the bandwidth-limited interface of each SRAM',
      '16 ArrayHieght: unknown key in [architecture_presets]; not used (did you mean ArrayHeight?)',
      '20 BlockSize: not used: sparsity is not modeled',
    ]);
  });

  it('notes a Bandwidth that CALC does not use', () => {
    const { notes, config } = parseScaleSimConfig(base.replace('USER', 'CALC'), 'x.cfg');
    expect(config.interfaceBandwidth).toBe('CALC');
    expect(toArraySpec(config).dramBandwidth).toBe('calc');
    expect(notes).toEqual([{ file: 'x.cfg', line: 13, key: 'Bandwidth', message: 'not used: InterfaceBandwidth CALC computes the bandwidth' }]);
  });

  it('refuses sizes no array or SRAM has, saying the range and why', () => {
    expect(configError(base.replace('ArrayHeight:    32', 'ArrayHeight:    9007199254740991'))).toBe(
      "x.cfg:5 [architecture_presets] ArrayHeight: '9007199254740991' is 9.007e15: must be an integer from 1 to 4096 (PEs along one side of the array; the largest systolic arrays built have 256)",
    );
    expect(configError(base.replace('OfmapSramSzkB:   8', 'OfmapSramSzkB:   0'))).toMatch(/^x\.cfg:9 \[architecture_presets\] OfmapSramSzkB: '0' is 0 kB: must be an integer from 1 to 1\.678e7 kB \(an SRAM holds at least 1 kB/);
    expect(configError(base.replace('Bandwidth : 10', 'Bandwidth : 99999999999'))).toMatch(/^x\.cfg:13 \[architecture_presets\] Bandwidth: '99999999999' is 1e11 words per cycle: must be an integer from 1 to 1\.049e6 words per cycle \(the DRAM interface/);
    expect(configError(base.replace('FilterOffset:   10000000', 'FilterOffset:   1e9'))).toBe("x.cfg:11 [architecture_presets] FilterOffset: '1e9' is not a non-negative integer");
  });

  it('gives one-line errors with the file, line and key', () => {
    expect(configError(base.replace('ArrayWidth:     16', 'ArrayWidth: sixteen'))).toBe("x.cfg:6 [architecture_presets] ArrayWidth: 'sixteen' is not a positive integer");
    expect(configError(base.replace('ArrayHeight:    32\n', ''))).toBe("x.cfg [architecture_presets] ArrayHeight: missing — add 'ArrayHeight: …' under [architecture_presets]");
    expect(configError(base.replace('Dataflow : ws', 'Dataflow : rs'))).toBe("x.cfg:14 [architecture_presets] Dataflow: 'rs' is not a dataflow — use os, ws or is");
    expect(configError(base.replace('USER', 'AUTO'))).toBe("x.cfg:17 [run_presets] InterfaceBandwidth: 'AUTO' is neither CALC nor USER");
    expect(configError(base.replace('Bandwidth : 10\n', ''))).toBe('x.cfg [architecture_presets] Bandwidth: missing — InterfaceBandwidth USER needs Bandwidth (words per cycle)');
    expect(configError(base.replace('Bandwidth : 10', 'Bandwidth : 10,10'))).toMatch(/^x\.cfg:13 \[architecture_presets\] Bandwidth: 2 bandwidths/);
    expect(configError(base.replace('ArrayWidth:     16', 'ArrayWidth:     16\narraywidth: 8'))).toBe('x.cfg:7: arraywidth is set twice in [architecture_presets]');
    expect(configError('ArrayHeight: 4\n' + base)).toBe("x.cfg:1: 'ArrayHeight: 4' comes before any [section]");
    expect(configError(base.replace('Dataflow : ws', 'Dataflow ws'))).toBe("x.cfg:14: expected 'key: value', found 'Dataflow ws'");
    expect(configError(base + '\n[sparsity]\nSparsitySupport: true\n')).toBe('x.cfg:20 [sparsity] SparsitySupport: sparse arrays are not modeled — set SparsitySupport: false');
  });

  it('reads every shipped preset without a note', () => {
    const cfgs = readdirSync(presetPath('scalesim')).filter((f) => f.endsWith('.cfg'));
    expect(cfgs.length).toBeGreaterThanOrEqual(4);
    for (const f of cfgs) expect(readScaleSimConfig(presetPath('scalesim', f)).notes).toEqual([]);
  });
});
