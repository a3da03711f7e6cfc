import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWritable, checkWritableFolder, writeAtomically, writeTextFile } from './files.js';
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

describe('output paths refused before any work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'accelmap-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an empty path', () => {
    expect(errorOf(() => checkWritable('', 'HTML report')).render()).toBe('cannot write HTML report: the path is empty');
    expect(errorOf(() => checkWritableFolder('', 'reports')).render()).toBe('cannot write reports: the path is empty');
  });

  it('paths under /proc and /sys, also through a link', () => {
    symlinkSync('/proc/self', join(dir, 'proc-link'));
    for (const p of ['/proc/xdir', '/sys/a/b', join(dir, 'proc-link', 'x')]) {
      expect(errorOf(() => checkWritableFolder(p, 'reports')).render()).toMatch(/cannot write reports: it is inside \/proc or \/sys/);
    }
    expect(errorOf(() => checkWritable('/proc/self/report.html', 'HTML report')).render()).toMatch(/it is inside \/proc or \/sys/);
  });

  it('a folder to be created under a file', () => {
    writeFileSync(join(dir, 'plain'), '');
    expect(errorOf(() => checkWritableFolder(join(dir, 'plain', 'sub'), 'reports')).render()).toMatch(/cannot write reports: part of the path is not a folder$/);
    expect(() => checkWritableFolder(join(dir, 'new', 'deeper'), 'reports')).not.toThrow();
  });
});

describe('writeAtomically', () => {
  const dir = mkdtempSync(join(tmpdir(), 'accelmap-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces the file whole', () => {
    const file = join(dir, 'a.txt');
    writeTextFile(file, 'old', 'report');
    writeTextFile(file, 'new', 'report');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });

  it('a write that fails part-way leaves the old file and no temporary one', () => {
    const file = join(dir, 'b.txt');
    writeTextFile(file, 'complete', 'report');
    const e = errorOf(() =>
      writeAtomically(file, 'report', (temporary) => {
        writeFileSync(temporary, 'half');
        throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      }),
    );
    expect(e.render()).toMatch(/b\.txt: cannot write report: no space left on the device$/);
    expect(readFileSync(file, 'utf8')).toBe('complete');
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.txt']);
  });
});
