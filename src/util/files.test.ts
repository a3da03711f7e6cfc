import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWritable } from './files.js';
import { errorOf } from './test-util.js';

describe('checkWritable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'accelmap-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a new file in an existing folder', () => {
    expect(() => checkWritable(join(dir, 'report.html'), 'HTML report')).not.toThrow();
  });

  it('refuses a missing folder, a folder, and a path through a file', () => {
    expect(errorOf(() => checkWritable(join(dir, 'missing', 'r.html'), 'HTML report')).render()).toMatch(/r\.html: cannot write HTML report: no such file or folder$/);
    expect(errorOf(() => checkWritable(dir, 'trace')).render()).toMatch(/cannot write trace: it is a folder$/);
  });
});
