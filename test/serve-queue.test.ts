import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, queueWorker } from '../src/index.js';
import { CLIENT_HEADER, startServer } from '../src/serve/server.js';
import { redisDb, redisMissing } from './redis-helpers.js';

const missing = await redisMissing();
if (missing) console.log(`serve --queue tests skipped: ${missing}`);

describe.skipIf(missing !== '')('serve --queue', () => {
  it('runs an explore job\'s designs on the queue\'s workers, and stores them in the server\'s store', async () => {
    const url = await redisDb(6);
    const dir = mkdtempSync(join(tmpdir(), 'accelmap-serve-queue-'));
    const server = await startServer({ port: 0, dataDir: join(dir, 'data'), queue: url });
    const completed: string[] = [];
    const worker = await queueWorker(url, { onEvent: (e) => void (e.kind === 'completed' && completed.push(e.hash)) });
    try {
      const post = await fetch(`${server.url}api/jobs`, {
        method: 'POST',
        headers: { [CLIENT_HEADER]: '1', 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'explore', params: { models: ['deepq'], space: 'eyeriss', budget: 3, mapBudget: 40 } }),
      });
      expect(post.status).toBe(202);
      const { id } = (await post.json()) as { id: string };
      const text = await (await fetch(`${server.url}api/jobs/${id}/events`)).text();
      expect(text).toContain('designs go to the workers of redis://');
      expect(text).toContain('"type":"end","status":"done"');
      // every design the job evaluated was mapped by the worker, none in the server
      const store = openStore(server.data.store, { mustExist: true });
      const stored = store.all().map((d) => d.hash);
      store.close();
      expect(stored).toHaveLength(3);
      expect(completed.slice().sort()).toEqual(stored.slice().sort());
    } finally {
      await worker.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
