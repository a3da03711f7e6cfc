import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readScaleSimConfig } from '../interop/scalesim/config.js';
import { replayLayer } from '../interop/scalesim/replay.js';
import { readTopology } from '../interop/scalesim/topology.js';
import { packageRoot } from '../util/paths.js';
import { SCALESIM_REPORTS, pythonFloat, scaleSimReportFiles } from './scalesim-reports.js';

/**
 * accelmap's SCALE-Sim reports against SCALE-Sim v2's own, file by file.
 *
 * test/fixtures/scalesim/ holds reports written by SCALE-Sim itself
 * (scripts/scalesim-fixtures.sh regenerates them from a checkout; the commit
 * is in SCALE-SIM-COMMIT, its licence in LICENSE):
 * - golden/: the reference run SCALE-Sim's own test compares against
 *   (AlexNet Conv1 on its scale.cfg turned weight-stationary);
 * - <config>_<dataflow>[_user]/<topology>/: its google, eyeriss and scale
 *   configs under os, ws and is (scale also with USER bandwidth), on trimmed
 *   AlexNet, ResNet-18 and GEMM topologies (AlexNet left out on eyeriss under
 *   ws and is, too slow for SCALE-Sim).
 *
 * Every line must be the same text, with one allowance: SCALE-Sim averages
 * per-fold utilizations with Python's sum(), which from Python 3.12 on is
 * compensated. accelmap follows 3.12 (golden/ was written by it); where the
 * fixtures were written by an older Python (PYTHON-VERSION), the two averaged
 * columns (Mapping Efficiency %, Compute Util %) may differ in the last
 * digits and are compared to 1e-13 relative instead.
 */
const FIXTURES = join(packageRoot(), 'test', 'fixtures', 'scalesim');

function reportTexts(cfg: string, topology: string, gemm: boolean): Map<string, string> {
  const { config } = readScaleSimConfig(cfg);
  const layers = readTopology(topology, gemm ? 'gemm' : 'conv').map((layer) => replayLayer(config, layer));
  return new Map(scaleSimReportFiles(SCALESIM_REPORTS, layers).map((f) => [f.name, f.text]));
}

const AVERAGED_COLUMNS = new Set([4, 5]);

function expectSameReport(ours: string, theirs: string, file: string, exactFloats: boolean): void {
  if (exactFloats || !file.endsWith('COMPUTE_REPORT.csv')) return expect(ours, file).toBe(theirs);
  const rows = (text: string) => text.split('\n').map((line) => line.replace(/,$/, '').split(', '));
  const [a, b] = [rows(ours), rows(theirs)];
  expect(a.length).toBe(b.length);
  a.forEach((cells, i) => {
    expect(cells.length).toBe(b[i]!.length);
    cells.forEach((cell, j) => {
      const other = b[i]![j]!;
      if (i > 0 && AVERAGED_COLUMNS.has(j)) expect(Math.abs(Number(cell) - Number(other)), `${file} line ${i + 1} column ${j + 1}`).toBeLessThanOrEqual(1e-13 * Math.abs(Number(other)));
      else expect(cell, `${file} line ${i + 1} column ${j + 1}`).toBe(other);
    });
  });
}

describe('SCALE-Sim conventions: reports equal SCALE-Sim v2 runs', () => {
  it("equal SCALE-Sim's golden reports", () => {
    const dir = join(FIXTURES, 'golden');
    const ours = reportTexts(join(dir, 'scale_ws.cfg'), join(dir, 'alexnet_part.csv'), false);
    for (const [file, text] of ours) expect(text, file).toBe(readFileSync(join(dir, file), 'utf8'));
  });

  const exactFloats = Number(readFileSync(join(FIXTURES, 'PYTHON-VERSION'), 'utf8').trim().split('.')[1]) >= 12;
  const runs = readdirSync(FIXTURES).filter((d) => /^(google|eyeriss|scale)_(os|ws|is)(_user)?$/.test(d));
  const topologies = (run: string) => readdirSync(join(FIXTURES, run)).sort();
  it('has every config × dataflow × topology the fixture script runs', () => {
    const all = ['alexnet', 'gemm', 'resnet18'];
    const expected = ['google', 'eyeriss', 'scale'].flatMap((c) => ['os', 'ws', 'is'].map((d) => [`${c}_${d}`, c === 'eyeriss' && d !== 'os' ? ['gemm', 'resnet18'] : all]));
    expected.push(...['os', 'ws', 'is'].map((d) => [`scale_${d}_user`, all]));
    expect(Object.fromEntries(runs.map((r) => [r, topologies(r)]))).toEqual(Object.fromEntries(expected));
  });
  for (const run of runs) {
    it(`equal ${run} on ${topologies(run).join(', ')}`, () => {
      for (const topology of topologies(run)) {
        const dir = join(FIXTURES, run, topology);
        const ours = reportTexts(join(FIXTURES, `${run}.cfg`), join(FIXTURES, `${topology}.csv`), topology === 'gemm');
        for (const [file, text] of ours) expectSameReport(text, readFileSync(join(dir, file), 'utf8'), `${run}/${topology}/${file}`, exactFloats);
      }
    });
  }
});

describe('pythonFloat', () => {
  it("writes numbers as Python's repr does", () => {
    expect([2, 0.5, -3, 3e-5, 1e16, 1.5e-7, 123.456, 0, 1e-4].map(pythonFloat)).toEqual(['2.0', '0.5', '-3.0', '3e-05', '1e+16', '1.5e-07', '123.456', '0.0', '0.0001']);
  });
});
