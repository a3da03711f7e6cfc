import { AccelmapError } from '../util/errors.js';

/**
 * A queue's Redis server, as a URL: `redis://[:password@]host:port[/db]`, or
 * `rediss://…` for TLS.
 */

/** Checks a queue URL; returns it unchanged. */
export function queueUrl(flag: string, url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AccelmapError('bad-flag', `${flag} '${url}' is not a URL`, {}, 'write redis://HOST:PORT (rediss:// for TLS, redis://:PASSWORD@HOST:PORT with a password)');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new AccelmapError('bad-flag', `${flag} '${redacted(url)}' is not a Redis URL`, {}, 'write redis://HOST:PORT, or rediss://HOST:PORT for TLS');
  if (!u.hostname) throw new AccelmapError('bad-flag', `${flag} '${redacted(url)}' names no host`, {}, 'write redis://HOST:PORT');
  if (u.pathname.length > 1 && !/^\/\d+$/.test(u.pathname)) throw new AccelmapError('bad-flag', `${flag} '${redacted(url)}': the path must be a database number`, {}, 'e.g. redis://HOST:PORT/2');
  return url;
}

/** The URL with its password replaced by `***`, for messages. */
export function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
