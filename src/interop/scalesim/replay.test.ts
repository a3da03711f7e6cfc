import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../util/paths.js';
import { readScaleSimConfig } from './config.js';
import { replayLayer } from './replay.js';
import { SCALESIM_REPORTS, pythonFloat, reportLine } from './reports.js';
import { readTopology } from './topology.js';

/**
 * accelmap's SCALE-Sim reports against SCALE-Sim v2's own, file by file.
 *
 * test/fixtures/scalesim/ holds reports written by SCALE-Sim itself
 * (scripts/scalesim-fixtures.sh regenerates them from a checkout; the commit
 * is in SCALE-SIM-COMMIT, its licence in LICENSE):
 * - golden/: the reference run SCALE-Sim's own test compares against
 *   (AlexNet Conv1 on its scale.cfg turned weight-stationary);
 * - <config>_<dataflow>/<topology>/: its google, eyeriss and scale configs
 *   under os, ws and is, on trimmed AlexNet, ResNet-18 and GEMM topologies.
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
  return new Map(SCALESIM_REPORTS.map((r) => [r.file, reportLine(r.header) + layers.map((l, i) => reportLine(r.row(i, l))).join('')]));
}

describe('SCALE-Sim conventions: reports equal SCALE-Sim v2 runs', () => {
  it("equal SCALE-Sim's golden reports", () => {
    const dir = join(FIXTURES, 'golden');
    const ours = reportTexts(join(dir, 'scale_ws.cfg'), join(dir, 'alexnet_part.csv'), false);
    for (const [file, text] of ours) expect(text, file).toBe(readFileSync(join(dir, file), 'utf8'));
  });

});

describe('pythonFloat', () => {
  it("writes numbers as Python's repr does", () => {
    expect([2, 0.5, -3, 3e-5, 1e16, 1.5e-7, 123.456, 0, 1e-4].map(pythonFloat)).toEqual(['2.0', '0.5', '-3.0', '3e-05', '1e+16', '1.5e-07', '123.456', '0.0', '0.0001']);
  });
});
