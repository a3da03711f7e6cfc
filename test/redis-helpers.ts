import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Redis for the queue tests: the server named by ACCELMAP_REDIS_URL (.ci/run
 * starts one), each test on a database of its own; and, for tests that stop
 * and restart the server, private servers from the redis-server binary.
 */

/** Answers PING (or asks for a password: then it is there too). */
function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => (s.destroy(), resolve(ok));
    s.setTimeout(1000, () => done(false));
    s.once('error', () => done(false));
    s.connect(Number(u.port || 6379), u.hostname, () => s.write('PING\r\n'));
    s.once('data', (b) => done(/^(\+PONG|-NOAUTH)/.test(b.toString())));
  });
}

/** Why the tests that need Redis cannot run here ('' when they can). */
export async function redisMissing(): Promise<string> {
  const url = process.env.ACCELMAP_REDIS_URL;
  if (!url) return 'ACCELMAP_REDIS_URL is not set (.ci/run starts a Redis server and sets it)';
  return (await reachable(url)) ? '' : `no Redis answers at ACCELMAP_REDIS_URL (${url})`;
}

/** ACCELMAP_REDIS_URL on database `db` (1–15), emptied first. */
export async function redisDb(db: number): Promise<string> {
  const u = new URL(process.env.ACCELMAP_REDIS_URL!);
  u.pathname = `/${db}`;
  await command(u.toString(), 'FLUSHDB');
  return u.toString();
}

/** Sends one inline command and waits for its reply line. */
function command(url: string, cmd: string): Promise<string> {
  const u = new URL(url);
  const auth = u.password ? `AUTH ${decodeURIComponent(u.password)}\r\n` : '';
  const db = u.pathname.length > 1 ? `SELECT ${u.pathname.slice(1)}\r\n` : '';
  const expected = (auth ? 1 : 0) + (db ? 1 : 0) + 1;
  return new Promise((resolve, reject) => {
    const s = new Socket();
    let text = '';
    s.once('error', reject);
    s.on('data', (b) => {
      text += b.toString();
      const lines = text.split('\r\n').filter(Boolean);
      if (lines.length >= expected) s.destroy(), resolve(lines[expected - 1]!);
    });
    s.connect(Number(u.port || 6379), u.hostname, () => s.write(`${auth}${db}${cmd}\r\n`));
  });
}

export const redisServerMissing = spawnSync('redis-server', ['--version']).status === 0 ? '' : 'redis-server is not on the PATH';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A private Redis server on loopback (no persistence: a restart comes back empty), which a test may stop and start again. */
export class PrivateRedis {
  private process?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'accelmap-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.up();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.process = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(this.port), '--dir', this.dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(await reachable(this.url)); i++) await new Promise((r) => setTimeout(r, 50));
  }

  /** Kills the server (SIGKILL: its data is gone). */
  async down(): Promise<void> {
    const p = this.process;
    if (!p || p.exitCode !== null) return;
    await new Promise((resolve) => (p.once('exit', resolve), p.kill('SIGKILL')));
  }

  async stop(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
