import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTimeloopDesign, readTimeloopDocs } from '../src/interop/timeloop/load.js';
import { cliError } from './cli-helpers.js';

/**
 * The 2024 tutorial's own inputs — an architecture that is a Jinja2 template
 * (`{% if reg_enabled|default(True) %}`) with attributes written as
 * expressions of `variables:` (`datawidth: DATAWIDTH`, `width: datawidth * 3`),
 * and a variables file that is itself a template (`{{datawidth_jinja|default(8)}}`)
 * — read into the same levels timeloopfe wrote into the run's
 * parsed-processed-input.yaml (the expected values).
 */
const fx = (...p: string[]) => join(__dirname, 'fixtures', 'timeloop-exercises', 'tutorial-2024', ...p);

describe('Jinja2 templates and variables: in Timeloop v0.4 inputs', () => {
  it("render the tutorial's templates and evaluate its attribute expressions as timeloopfe did", () => {
    const raw = loadTimeloopDesign(readTimeloopDocs([fx('inputs', 'arch.yaml'), fx('inputs', 'variables.yaml'), fx('inputs', 'problem.yaml')]));
    const processed = loadTimeloopDesign(readTimeloopDocs([fx('parsed-processed-input.yaml')]));
    const spec = (d: typeof raw, name: string) => {
      const l = d.arch.arch.levels.find((x) => x.name === name)!;
      return { words: l.capacityWords, wordBits: l.wordBits, blockSize: l.blockSize };
    };
    for (const name of ['DRAM', 'buffer']) expect(spec(raw, name)).toEqual(spec(processed, name));
    // reg is kept by {% if reg_enabled|default(True) %}: 1 row of datawidth * 3 = 24 bits, 3 words of 8 bits.
    expect(spec(raw, 'reg')).toEqual({ words: 3, wordBits: 8, blockSize: 3 });
    expect(raw.arch.arch.compute.instances).toBe(processed.arch.arch.compute.instances);
    expect({ ...raw.problem, kind: '' }).toEqual({ ...processed.problem, kind: '' });
  });

  it('refuse a template that cannot be rendered in one line naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-jinja-'));
    const top = join(dir, 'top.yaml.jinja');
    writeFileSync(top, "architecture: {{include('arch.yaml', 'architecture')}}\n");
    expect(await cliError('timeloop', top, fx('inputs', 'problem.yaml'))).toMatch(/top\.yaml\.jinja: cannot render the Jinja2 template: .*include/);
  });
});
