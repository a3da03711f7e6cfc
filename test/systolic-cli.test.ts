import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, cliError, cliJson } from './cli-helpers.js';
import { packageRoot, presetPath } from '../src/util/paths.js';

let dir: string;
let gemmTopology: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'accelmap-systolic-'));
  gemmTopology = join(dir, 'tiny.csv');
  // ws on 32×32: rows ← K = 2, columns ← N = 3, time ← M = 4: one fold of 2·32 + 32 + 4 − 2 = 98 cycles.
  writeFileSync(gemmTopology, 'Layer, M, N, K,\nTiny, 4, 3, 2,\n');
});

describe('accelmap systolic', () => {
  it('prints a table per layer with a total', async () => {
    const { code, out } = await cli('systolic', '-c', presetPath('scalesim', 'scale_ws.cfg'), '-t', gemmTopology, '--gemm', '--convention', 'accelmap');
    expect(code).toBe(0);
    expect(out).toMatch(/32×32 array, ws dataflow/);
    expect(out).toMatch(/^Tiny\s+4×3×2\s+1\s+98\s+0\s/m);
    expect(out).toMatch(/^total\s+1\s+98\s+0\s/m);
  });

  it('prints JSON with --json', async () => {
    const json = await cliJson('systolic', '-c', presetPath('scalesim', 'scale_ws.cfg'), '-t', gemmTopology, '--gemm', '--json', '--convention', 'accelmap');
    expect(json.layers[0]).toMatchObject({ name: 'Tiny', totalCycles: 98, scaleSim: { totalCycles: 97 }, macs: 24 });
    expect(json.totals.totalCycles).toBe(98);
  });

  it('writes the three SCALE-Sim reports with --csv', async () => {
    const out = join(dir, 'reports');
    expect((await cli('systolic', '-c', presetPath('scalesim', 'scale_ws.cfg'), '-t', gemmTopology, '--gemm', '--csv', out, '--convention', 'accelmap')).code).toBe(0);
    const compute = readFileSync(join(out, 'COMPUTE_REPORT.csv'), 'utf8').split('\n');
    expect(compute[0]).toBe('LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %, SCALE-Sim Total Cycles, SCALE-Sim Compute Util %,');
    expect(compute[1]).toMatch(/^0, 98, 0, /);
    expect(readFileSync(join(out, 'BANDWIDTH_REPORT.csv'), 'utf8')).toMatch(/^LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,\n0, /);
    const detail = readFileSync(join(out, 'DETAILED_ACCESS_REPORT.csv'), 'utf8').split('\n');
    expect(detail[0]!.split(', ')).toHaveLength(19);
    expect(detail[0]).toMatch(/^LayerID, SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, .* DRAM OFMAP Writes,$/);
  });

  it('runs a shipped GEMM topology under a USER bandwidth', async () => {
    const { layers, totals } = await cliJson('systolic', '-c', presetPath('scalesim', 'google.cfg'), '-t', presetPath('scalesim', 'transformer_gemm.csv'), '--gemm', '--json', '--convention', 'accelmap');
    expect(layers).toHaveLength(6);
    expect(layers[0].dram.bandwidthWordsPerCycle).toEqual({ ifmap: 48, filter: 48, ofmap: 48 });
    expect(totals.totalCycles).toBe(totals.computeCycles + totals.stallCycles);
  });

  it('warns about config keys it does not use', async () => {
    const cfg = join(dir, 'extra.cfg');
    writeFileSync(cfg, readFileSync(presetPath('scalesim', 'scale_ws.cfg'), 'utf8').replace('Dataflow:       ws', 'Dataflow:       ws\nMemoryBanks: 1'));
    const r = await cli('systolic', '-c', cfg, '-t', gemmTopology, '--gemm');
    expect(r.code).toBe(0);
    expect(r.err.filter((l) => l.includes('warning'))).toEqual([`accelmap: warning: ${cfg}:14 MemoryBanks: not used: the DRAM model is the bandwidth-limited interface of each SRAM`]);
  });

  it("writes, by default, a report folder that diffs clean against SCALE-Sim's own", async () => {
    const golden = join(packageRoot(), 'test', 'fixtures', 'scalesim', 'golden');
    const out = join(dir, 'scalesim-reports');
    const r = await cli('systolic', '-c', join(golden, 'scale_ws.cfg'), '-t', join(golden, 'alexnet_part.csv'), '--csv', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Conv1\s+112283\s+0\s+91\.68%\s+94\.53%\s+90\.78%/m);
    expect(r.out).toMatch(/SCALE-Sim v2's figures and conventions/);
    for (const file of ['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv']) expect(readFileSync(join(out, file), 'utf8'), file).toBe(readFileSync(join(golden, file), 'utf8'));
    const json = await cliJson('systolic', '-c', join(golden, 'scale_ws.cfg'), '-t', join(golden, 'alexnet_part.csv'), '--json');
    expect(json.convention).toBe('scalesim');
    expect(json.layers[0]).toMatchObject({ totalCycles: 112283, dram: { ofmap: { words: 3484831 } }, sram: { ofmap: { words: 3484800 } } });
  });

  it("replays SCALE-Sim's USER bandwidth too, and refuses a convention it does not know", async () => {
    const r = await cli('systolic', '-c', presetPath('scalesim', 'google.cfg'), '-t', gemmTopology, '--gemm');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/DRAM bandwidth 48 words\/cycle per SRAM \(USER\)/);
    expect(await cliError('systolic', '-c', presetPath('scalesim', 'scale.cfg'), '-t', gemmTopology, '--gemm', '--convention', 'timeloop')).toBe("accelmap: --convention 'timeloop' is not one of scalesim, accelmap");
  });

  it('rejects malformed input with one line and exit code 2', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'Layer, M, N, K,\nTiny, 4, x, 2,\n');
    expect(await cliError('systolic', '-c', presetPath('scalesim', 'scale_ws.cfg'), '-t', bad, '--gemm')).toBe(`accelmap: ${bad}:2 N: 'x' is not a positive integer`);
    expect(await cliError('systolic', '-c', presetPath('scalesim', 'scale_ws.cfg'), '-t', gemmTopology)).toBe(`accelmap: ${gemmTopology}:1: the header is that of a GEMM topology (Layer, M, N, K) — pass --gemm`);
    expect(await cliError('systolic', '-c', join(dir, 'missing.cfg'), '-t', gemmTopology)).toMatch(/missing\.cfg: cannot read SCALE-Sim config: no such file or folder$/);
    expect(await cliError('systolic', '-c', presetPath('scalesim', 'scale_ws.cfg'), '-t', dir, '--gemm')).toBe(`accelmap: ${dir}: cannot read topology: it is a folder`);
    expect(await cliError('systolic', '-t', gemmTopology)).toMatch(/required option '-c, --config <file>'/);
  });
});
