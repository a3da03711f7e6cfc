import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from './store.js';
import { RunLog } from './runs.js';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'accelmap-runs-'));
  dirs.push(d);
  return join(d, 'results.db');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('RunLog', () => {
  it('keeps each run with its command line, outcome and result, newest first', () => {
    const log = new RunLog(fresh());
    log.start({ id: 'a', kind: 'map', params: { model: 'resnet18' }, command: 'accelmap map resnet18 --arch eyeriss --json', started: 1000 });
    log.start({ id: 'b', kind: 'profile', params: { model: 'deepq' }, command: 'accelmap profile deepq --json', started: 2000 });
    log.finish('a', 'done', { result: { totals: { cycles: 42 } } });
    log.finish('b', 'failed', { error: 'bad.onnx: truncated' });
    expect(log.all().map((r) => [r.id, r.status, r.error])).toEqual([
      ['b', 'failed', 'bad.onnx: truncated'],
      ['a', 'done', null],
    ]);
    expect(log.get('a')).toMatchObject({ kind: 'map', params: { model: 'resnet18' }, command: 'accelmap map resnet18 --arch eyeriss --json' });
    expect(JSON.parse(log.resultJson('a')!)).toEqual({ totals: { cycles: 42 } });
    expect(log.resultJson('b')).toBeUndefined();
    log.close();
  });

  it('marks runs a stopped server left running as cancelled, and shares the file with the designs', () => {
    const file = fresh();
    const log = new RunLog(file);
    log.start({ id: 'x', kind: 'explore', params: {}, command: 'accelmap explore …', started: 1 });
    log.close();
    const store = openStore(file);
    expect(store.all()).toEqual([]);
    store.close();
    const again = new RunLog(file);
    expect(again.get('x')).toMatchObject({ status: 'cancelled', error: 'the server stopped during the run' });
    again.close();
  });
});
