import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { archPresets, AccelmapError, DATAFLOW_CHOICES, devicePresets, isAccelmapError, openStore, paretoFront, POLICIES, STRATEGIES, TOPOLOGY_NAMES, ZOO_MODELS } from '../index.js';
import { RunLog } from '../store/runs.js';
import { loadAssets, type Asset } from './assets.js';
import { isLoopback, SERVE_DEFAULTS } from './defaults.js';
import { openDataDir, UPLOAD_KINDS, type DataDir, type UploadKind } from './data-dir.js';
import { JobManager, type JobEvent } from './jobs.js';
import { JOB_SCHEMAS, parseJob, spacePresets } from './tasks.js';
import { acceptUpload, displayName } from './uploads.js';

export interface ServeOptions {
  port?: number;
  host?: string;
  /** Needed to bind anything but loopback. */
  allowRemote?: boolean;
  /** Required of every API request when set; made up when binding beyond loopback without one. */
  token?: string;
  /** The server's own folder: uploads and the results store. */
  dataDir: string;
  /** Largest upload in bytes (default 256 MiB). */
  maxUploadBytes?: number;
  /** Jobs running at once (default 2); the rest wait. */
  concurrency?: number;
  /** Mapper threads per job (default 1). */
  threads?: number;
  /** A BullMQ queue (redis://…): explore jobs send their designs to its workers (accelmap worker) instead of mapping here. */
  queue?: string;
  /** Where the built app lives (default dist/web). */
  assetsDir?: string;
}

export interface RunningServer {
  url: string;
  /** The API token, when one is required. */
  token: string | undefined;
  data: DataDir;
  jobs: JobManager;
  close(): Promise<void>;
}

/** Requests that change something must carry this header: a page on another site cannot send it without a CORS preflight, which the server never grants. */
export const CLIENT_HEADER = 'x-accelmap-client';

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given), b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

const errorBody = (c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 500, error: string) => c.json({ error }, status);

function buildApp(o: Required<Pick<ServeOptions, 'maxUploadBytes'>> & { token: string | undefined; loopback: boolean }, data: DataDir, jobs: JobManager, runs: RunLog, assets: Map<string, Asset>): Hono {
  const app = new Hono();
  app.onError((e, c) => {
    if (isAccelmapError(e)) return errorBody(c, 400, e.render());
    process.stderr.write(`accelmap serve: internal error: ${e.stack ?? e.message}\n`);
    return errorBody(c, 500, 'internal error (see the server log)');
  });

  // On loopback, only a page the server itself served may talk to it: the Host must be a loopback name (no DNS rebinding).
  app.use('*', async (c, next) => {
    if (o.loopback) {
      const host = (c.req.header('host') ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
      if (!isLoopback(host)) return errorBody(c, 403, `host '${host}' is not this server's loopback address`);
    }
    await next();
  });
  app.use('/api/*', async (c, next) => {
    if (o.token && !sameToken(c.req.header('authorization')?.replace(/^Bearer /, '') ?? c.req.query('token'), o.token)) return errorBody(c, 401, 'this server needs its token: Authorization: Bearer <token> or ?token=<token>');
    if (c.req.method !== 'GET' && c.req.header(CLIENT_HEADER) === undefined) return errorBody(c, 403, `requests that change something need the ${CLIENT_HEADER} header`);
    await next();
  });

  app.get('/api/meta', (c) =>
    c.json({
      models: ZOO_MODELS.map((m) => ({ name: m.name, description: m.description })),
      archs: archPresets(),
      devices: devicePresets(),
      spaces: spacePresets(),
      dataflows: DATAFLOW_CHOICES,
      strategies: STRATEGIES,
      policies: POLICIES,
      topologies: TOPOLOGY_NAMES,
      jobKinds: Object.keys(JOB_SCHEMAS),
      maxUploadBytes: o.maxUploadBytes,
    }),
  );

  app.post(
    '/api/uploads',
    bodyLimit({ maxSize: o.maxUploadBytes, onError: (c) => errorBody(c, 413, `the upload is larger than this server's cap of ${o.maxUploadBytes} bytes (accelmap serve --max-upload)`) }),
    async (c) => {
      const kind = c.req.query('kind') ?? '';
      if (!(UPLOAD_KINDS as readonly string[]).includes(kind)) throw new AccelmapError('bad-input', `upload kind '${kind}' is not one of ${UPLOAD_KINDS.join(', ')}`, { path: 'kind' });
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      if (bytes.length === 0) throw new AccelmapError('bad-input', 'the upload is empty', { path: 'body' });
      return c.json(acceptUpload(data, kind as UploadKind, bytes, displayName(c.req.query('name'), kind as UploadKind)), 201);
    },
  );

  app.post('/api/jobs', async (c) => {
    const body = (await c.req.json().catch(() => {
      throw new AccelmapError('bad-input', 'the request body is not JSON', { path: '(body)' });
    })) as { kind?: unknown; params?: unknown };
    const { kind, params } = parseJob(String(body?.kind ?? ''), body?.params);
    return c.json(jobs.submit(kind, params), 202);
  });
  app.get('/api/jobs', (c) => c.json(jobs.list()));
  app.get('/api/jobs/:id', (c) => {
    const j = jobs.get(c.req.param('id'));
    return j ? c.json(j) : errorBody(c, 404, 'no such job');
  });
  app.delete('/api/jobs/:id', (c) => (jobs.cancel(c.req.param('id')) ? c.json({ cancelled: true }) : errorBody(c, 409, 'no such job running')));
  app.get('/api/jobs/:id/events', (c) => {
    const id = c.req.param('id');
    if (!jobs.get(id)) return errorBody(c, 404, 'no such job');
    return streamSSE(c, async (stream) => {
      await new Promise<void>((resolve) => {
        const queue: JobEvent[] = [];
        let writing = false;
        const flush = async () => {
          if (writing) return;
          writing = true;
          while (queue.length) {
            const e = queue.shift()!;
            await stream.writeSSE({ event: e.type, data: JSON.stringify(e) });
            if (e.type === 'end') {
              unsubscribe();
              resolve();
            }
          }
          writing = false;
        };
        const unsubscribe = jobs.subscribe(id, (e) => {
          queue.push(e);
          void flush();
        });
        stream.onAbort(() => {
          unsubscribe();
          resolve();
        });
      });
    });
  });

  app.get('/api/runs', (c) => c.json(runs.all()));
  app.get('/api/runs/:id', (c) => {
    const r = runs.get(c.req.param('id'));
    return r ? c.json(r) : errorBody(c, 404, 'no such run');
  });
  app.get('/api/runs/:id/result', (c) => {
    const json = runs.resultJson(c.req.param('id'));
    return json === undefined ? errorBody(c, 404, 'no result for this run') : c.body(json, 200, { 'content-type': 'application/json' });
  });

  app.get('/api/designs', (c) => {
    const store = openStore(data.store);
    try {
      // designs compare only within one space evaluated on the same workloads
      const designs = store.all().map((d) => ({ ...d, group: `${d.space}: ${d.workloads.map((w) => (w.weight === 1 ? w.name : `${w.name}×${w.weight}`)).join(', ')}` }));
      const groups = [...new Set(designs.map((d) => d.group))];
      const front = new Set<string>();
      for (const group of groups) {
        const ok = designs.filter((d) => d.group === group && d.status === 'ok');
        for (const i of paretoFront(ok.map((d) => [d.latencyS!, d.energyPj!, d.areaMm2]))) front.add(ok[i]!.hash);
      }
      return c.json({ groups, designs: designs.map((d) => ({ ...d, front: front.has(d.hash) })) });
    } finally {
      store.close();
    }
  });
  app.get('/api/designs/:hash', (c) => {
    const store = openStore(data.store);
    try {
      const d = store.get(c.req.param('hash'));
      return d ? c.json({ ...d, layers: store.layers(d.hash) }) : errorBody(c, 404, 'no such design');
    } finally {
      store.close();
    }
  });

  app.all('/api/*', (c) => errorBody(c, 404, 'no such API route'));
  app.get('*', (c) => {
    const asset = assets.get(c.req.path === '/' ? '/index.html' : c.req.path);
    if (!asset) return assets.size ? c.text('not found', 404) : c.text('the web app is not built: run npm run build', 404);
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
  });
  return app;
}

/**
 * Starts the web server: the single-page app and its API (jobs run in
 * worker threads through the library, uploads checked by the CLI's readers,
 * runs kept in the results store). Binds loopback unless `allowRemote`;
 * then a token is required.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? SERVE_DEFAULTS.host;
  const loopback = isLoopback(host);
  if (!loopback && !options.allowRemote) throw new AccelmapError('bad-flag', `--host ${host} is not a loopback address: the server would be reachable from other machines`, {}, 'add --allow-remote to mean it (a token is then required)');
  const token = options.token ?? (loopback ? undefined : randomBytes(18).toString('base64url'));
  const data = openDataDir(options.dataDir);
  const runs = new RunLog(data.store);
  const jobs = new JobManager(data, runs, { concurrency: options.concurrency ?? SERVE_DEFAULTS.concurrency, threads: options.threads ?? SERVE_DEFAULTS.threads, queue: options.queue });
  const app = buildApp({ maxUploadBytes: options.maxUploadBytes ?? SERVE_DEFAULTS.maxUploadBytes, token, loopback }, data, jobs, runs, loadAssets(options.assetsDir));
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? SERVE_DEFAULTS.port, hostname: host }, () => resolve(s));
    s.once('error', (e: NodeJS.ErrnoException) => reject(new AccelmapError('io', `cannot listen on ${host}:${options.port ?? SERVE_DEFAULTS.port}: ${e.code ?? e.message}`, {}, 'pick another --port')));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    token,
    data,
    jobs,
    close: async () => {
      await jobs.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      runs.close();
    },
  };
}
