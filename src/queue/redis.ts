import type { Redis } from 'ioredis';
import { AccelmapError } from '../util/errors.js';
import { lazyPackage } from '../util/lazy-package.js';
import { redacted } from './url.js';

/** Connections to the Redis server behind a queue (its URL: url.ts). */

const ioredis = lazyPackage<typeof import('ioredis')>('ioredis');

/**
 * A client that retries commands across reconnections (what BullMQ's
 * blocking connections need): while the server is away, commands wait and
 * the client reconnects every second at most.
 */
export function redisClient(url: string): Redis {
  const client = new (ioredis().Redis)(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(100 * times, 1000) });
  // errors while the server is away are expected: watchConnection reports the outage once
  client.on('error', () => {});
  return client;
}

/** A connected client (see `redisClient`), or an error naming the URL when the server cannot be reached (see `connected`). */
export async function connect(url: string): Promise<Redis> {
  const client = redisClient(url);
  try {
    await connected(client, url);
    return client;
  } catch (e) {
    client.disconnect();
    throw e;
  }
}

/** Waits until the client is connected; an error naming the URL after `attempts` failed connections or `seconds`, whichever comes first. */
async function connected(client: Redis, url: string, { seconds = 10, attempts = 5 } = {}): Promise<void> {
  if (client.status === 'ready') return;
  let failures = 0;
  let onError!: (e: Error) => void;
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string) => reject(new AccelmapError('io', `cannot reach Redis at ${redacted(url)}: ${why}`, {}, 'start redis-server there, or give --queue the URL of a running one'));
      const timer = setTimeout(() => fail(`no answer in ${seconds} s`), seconds * 1000);
      onError = (e) => {
        if (++failures >= attempts) clearTimeout(timer), fail(e.message);
      };
      client.on('error', onError);
      client.once('ready', () => (clearTimeout(timer), resolve()));
    });
  } finally {
    client.off('error', onError);
  }
}

export interface ConnectionWatch {
  /** Seconds since the connection was lost, 0 while it is up. */
  downFor(): number;
  stop(): void;
}

/**
 * Follows a client's connection: `onLost` once when it drops, `onBack` when
 * it is ready again (the server may have restarted empty). Errors while it is
 * down are expected and go no further.
 */
export function watchConnection(client: Redis, on: { onLost(reason: string): void; onBack(): void }): ConnectionWatch {
  let since = 0;
  let reason = '';
  const onError = (e: Error) => (reason = e.message);
  const onClose = () => {
    if (since) return;
    since = Date.now();
    on.onLost(reason || 'connection closed');
  };
  const onReady = () => {
    if (!since) return;
    since = 0;
    reason = '';
    on.onBack();
  };
  client.on('error', onError);
  client.on('close', onClose);
  client.on('ready', onReady);
  return {
    downFor: () => (since ? (Date.now() - since) / 1000 : 0),
    stop() {
      client.off('error', onError);
      client.off('close', onClose);
      client.off('ready', onReady);
    },
  };
}
