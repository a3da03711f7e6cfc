import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileGraph, loadArch, loadGraph, mapNetwork } from '../src/index.js';
import { startServer, CLIENT_HEADER, type RunningServer } from '../src/serve/server.js';
import { encodeModel } from '../src/workload/onnx/write.js';
import { cli, cliError, cliJson } from './cli-helpers.js';
import { model, node, tensor, valueInfo } from './onnx/build.js';

const CAP = 64 * 1024;
let server: RunningServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'accelmap-serve-'));
  server = await startServer({ port: 0, dataDir: join(dir, 'data'), maxUploadBytes: CAP, concurrency: 2 });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw request: the path goes out exactly as written (no URL normalization). */
function raw(method: string, path: string, body?: Uint8Array | string, headers: Record<string, string> = { [CLIENT_HEADER]: '1' }): Promise<{ status: number; text: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const api = async (method: string, path: string, body?: unknown) => {
  const r = await raw(method, path, body === undefined ? undefined : JSON.stringify(body), { [CLIENT_HEADER]: '1', 'content-type': 'application/json' });
  return { status: r.status, json: JSON.parse(r.text) };
};

/** Waits for a job's end through its event stream; returns the progress lines and the end event. */
async function events(id: string): Promise<{ progress: string[]; end: { status: string; error: string | null } }> {
  const res = await fetch(`${server.url}api/jobs/${id}/events`);
  const text = await res.text();
  const progress: string[] = [];
  let end;
  for (const block of text.split('\n\n')) {
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (!data) continue;
    const e = JSON.parse(data);
    if (e.type === 'progress') progress.push(e.message);
    else end = e;
  }
  return { progress, end };
}

// a 3×3 convolution and a ReLU, 8→16 channels on 16×16
const tinyOnnx = encodeModel(
  model({
    nodes: [node('Conv', ['x', 'w'], ['y'], { pads: [1, 1, 1, 1] }, 'conv'), node('Relu', ['y'], ['z'], {}, 'relu')],
    initializers: [tensor('w', [16, 8, 3, 3])],
    inputs: [valueInfo('x', 'float32', [1, 8, 16, 16])],
    outputs: [valueInfo('z', 'float32')],
  }),
);

const upload = (kind: string, bytes: Uint8Array | string, name: string) => raw('POST', `/api/uploads?kind=${kind}&name=${encodeURIComponent(name)}`, bytes, { [CLIENT_HEADER]: '1', 'content-type': 'application/octet-stream' });

describe('accelmap serve: the API', () => {
  it('serves only its own files: traversal in the path, encoded or not, reaches nothing', async () => {
    for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/assets/../../package.json', '/%2e%2e%5c%2e%2e%5cpackage.json', '//etc/passwd', '/api/runs/..%2f..%2fresults.db/result']) {
      const r = await raw('GET', path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.text, path).not.toMatch(/root:|"name": "accelmap"|SQLite/);
    }
  });

  it('refuses model, arch and upload references that are not a zoo name, a preset or an upload id', async () => {
    // the loaders read anything that is not a known name as a path (relative to the server's folder): only known names get through
    for (const model of ['../../etc/passwd', '/etc/passwd', 'upload:../../etc/passwd', 'upload:' + 'a'.repeat(31) + '/', 'x/../../y', 'evil.onnx', 'package.json', 'resnet18.onnx']) {
      const r = await api('POST', '/api/jobs', { kind: 'profile', params: { model } });
      expect(r.status, model).toBe(400);
      expect(r.json.error, model).toMatch(/^model: /);
    }
    for (const arch of ['../presets/arch/eyeriss.yaml', 'presets/arch/eyeriss.yaml', 'eyeriss.yaml']) {
      const r = await api('POST', '/api/jobs', { kind: 'map', params: { model: 'deepq', arch } });
      expect(r.status, arch).toBe(400);
      expect(r.json.error, arch).toMatch(/^arch: /);
    }
    const device = await api('POST', '/api/jobs', { kind: 'profile', params: { model: 'deepq', device: 'presets/devices/cpu.yaml' } });
    expect(device.status).toBe(400);
    expect(device.json.error).toMatch(/^device: /);
    const space = await api('POST', '/api/jobs', { kind: 'explore', params: { models: ['deepq'], space: 'nosuch' } });
    expect(space.status).toBe(400);
  });

  it('keeps an upload under an id of its own, whatever name the client gives', async () => {
    const r = await upload('onnx', tinyOnnx, '../../../evil.onnx');
    expect(r.status).toBe(201);
    const u = JSON.parse(r.text);
    expect(u.id).toMatch(/^[0-9a-f]{32}$/);
    expect(u.name).toBe('evil.onnx');
    expect(u.summary).toBe('2 nodes, batch 1');
    expect(readdirSync(join(server.data.root, 'uploads'))).toContain(`${u.id}.onnx`);
    expect(readdirSync(dir).sort()).toEqual(['data']);
  });

  it('refuses an upload over the cap with 413, with or without a declared length, and keeps nothing', async () => {
    const before = readdirSync(server.data.uploads).length;
    const big = new Uint8Array(CAP + 1);
    expect((await upload('onnx', big, 'big.onnx')).status).toBe(413);
    const chunked = await new Promise<number>((resolve, reject) => {
      const url = new URL(server.url);
      const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/api/uploads?kind=onnx', headers: { [CLIENT_HEADER]: '1', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      for (let i = 0; i < 4; i++) req.write(new Uint8Array(CAP / 2));
      req.end();
    });
    expect(chunked).toBe(413);
    expect(readdirSync(server.data.uploads)).toHaveLength(before);
  });

  it('answers a malformed ONNX file with 400 and the importer\'s one-line message, as the CLI prints it', async () => {
    const bad = new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]); // a length far past the end
    const before = readdirSync(server.data.uploads).length;
    const r = await upload('onnx', bad, 'bad.onnx');
    expect(r.status).toBe(400);
    const { error } = JSON.parse(r.text);
    const file = join(dir, 'bad.onnx');
    writeFileSync(file, bad);
    const c = await cli('profile', file);
    expect(c.code).toBe(2);
    expect(`accelmap: ${error}`).toBe(c.err[0]!.replace(file, 'bad.onnx'));
    expect(error).not.toContain('\n');
    expect(readdirSync(server.data.uploads)).toHaveLength(before);
  });

  it('refuses an invalid arch spec upload with the spec loader\'s message', async () => {
    const r = await upload('arch', 'name: x\nlevels: 12\n', 'mine.yaml');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error).toMatch(/^mine\.yaml/);
  });

  it('needs the client header on requests that change something, and a loopback Host', async () => {
    const r = await raw('POST', '/api/jobs', JSON.stringify({ kind: 'profile', params: { model: 'deepq' } }), { 'content-type': 'text/plain' });
    expect(r.status).toBe(403);
    expect((await raw('GET', '/api/meta', undefined, { host: 'evil.example:80' })).status).toBe(403);
  });

  it('runs two jobs at once, each giving what the library gives, with the page answered meanwhile', async () => {
    const u = JSON.parse((await upload('onnx', tinyOnnx, 'tiny.onnx')).text);
    const archYaml = readFileSync(new URL('../presets/arch/simple-ws.yaml', import.meta.url));
    const a = JSON.parse((await upload('arch', archYaml, 'ws.yaml')).text);
    const params = { model: `upload:${u.id}`, arch: `upload:${a.id}`, budget: 300 };
    const one = await api('POST', '/api/jobs', { kind: 'map', params });
    const two = await api('POST', '/api/jobs', { kind: 'map', params: { ...params, objective: 'energy' } });
    expect([one.status, two.status]).toEqual([202, 202]);
    expect(one.json.command).toBe(`accelmap map ${join(server.data.uploads, `${u.id}.onnx`)} --arch ${join(server.data.uploads, `${a.id}.yaml`)} --dataflow auto --objective edp --strategy hybrid --budget 300 --seed 1 --json`);
    const t0 = Date.now();
    const meta = await api('GET', '/api/meta');
    expect(meta.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1000);
    const running = (await api('GET', '/api/jobs')).json.filter((j: { status: string }) => j.status === 'running');
    expect(running.length).toBe(2);
    const [e1, e2] = await Promise.all([events(one.json.id), events(two.json.id)]);
    expect([e1.end.status, e2.end.status]).toEqual(['done', 'done']);
    const graph = loadGraph(join(server.data.uploads, `${u.id}.onnx`));
    const arch = loadArch(join(server.data.uploads, `${a.id}.yaml`));
    for (const [job, objective] of [[one.json.id, 'edp'], [two.json.id, 'energy']] as const) {
      const got = JSON.parse((await raw('GET', `/api/runs/${job}/result`)).text).result;
      const want = await mapNetwork(compileGraph(graph).graph, arch, { budget: { evaluations: 300, patience: 4000 }, objective, threads: 1, baseline: graph });
      expect(got.totals).toEqual(want.totals);
    }
    const runs = (await api('GET', '/api/runs')).json as { id: string; status: string; command: string }[];
    expect(runs.find((r) => r.id === one.json.id)?.status).toBe('done');
  });

  it('gives for memory and scale jobs what their command lines give, compiled by default and as exported on request', async () => {
    const jobs = {
      memory: { model: 'deepq' },
      scale: { model: 'deepq', devices: 4, topology: 'ring', linkGbps: 100 },
    };
    for (const [kind, params] of Object.entries(jobs)) {
      const steps: number[] = [];
      for (const fuse of [true, false]) {
        const job = await api('POST', '/api/jobs', { kind, params: { ...params, fuse } });
        expect(job.status).toBe(202);
        expect((await events(job.json.id)).end.status).toBe('done');
        const got = JSON.parse((await raw('GET', `/api/runs/${job.json.id}/result`)).text);
        const [name, ...argv] = (job.json.command as string).split(' ');
        expect(name).toBe('accelmap');
        const want = await cliJson(...argv);
        const gotStep = kind === 'memory' ? got.plan.stepSeconds : got.result.stepSeconds;
        expect(gotStep).toBe(want.stepSeconds);
        steps.push(gotStep);
      }
      // the compiled graph's step is not the exported one's: the flag reached the planner
      expect(steps[0]).not.toBe(steps[1]);
    }
  });

  it('cancels a running job: its stream ends cancelled, the run log says so, and its slot goes to the next job', async () => {
    const long = await api('POST', '/api/jobs', { kind: 'map', params: { model: 'resnet50', arch: 'eyeriss', budget: 1_000_000 } });
    const filler = await api('POST', '/api/jobs', { kind: 'map', params: { model: 'resnet50', arch: 'eyeriss', budget: 1_000_000, seed: 2 } });
    const next = await api('POST', '/api/jobs', { kind: 'profile', params: { model: 'deepq' } });
    expect((await api('GET', `/api/jobs/${next.json.id}`)).json.status).toBe('queued');
    const stream = events(long.json.id);
    expect((await api('GET', `/api/jobs/${long.json.id}`)).json.status).toBe('running');
    await new Promise((r) => setTimeout(r, 500));
    expect((await api('DELETE', `/api/jobs/${long.json.id}`)).status).toBe(200);
    expect((await stream).end.status).toBe('cancelled');
    expect((await api('GET', `/api/runs/${long.json.id}`)).json.status).toBe('cancelled');
    expect((await api('DELETE', `/api/jobs/${long.json.id}`)).status).toBe(409);
    const done = await events(next.json.id);
    expect(done.end.status).toBe('done');
    expect((await api('DELETE', `/api/jobs/${filler.json.id}`)).status).toBe(200);
    const profile = JSON.parse((await raw('GET', `/api/runs/${next.json.id}/result`)).text);
    expect(profile.inference.model).toBe('deepq');
  });
});

describe('accelmap serve: binding', () => {
  it('as a command, refuses a non-loopback --host without --allow-remote in one line', async () => {
    const line = await cliError('serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', join(dir, 'cli'));
    expect(line).toMatch(/^accelmap: --host 0\.0\.0\.0 is not a loopback address.*--allow-remote/);
  });

  it('refuses a non-loopback address without --allow-remote', async () => {
    await expect(startServer({ port: 0, host: '0.0.0.0', dataDir: join(dir, 'remote') })).rejects.toMatchObject({ code: 'bad-flag', hint: expect.stringMatching(/--allow-remote/) });
  });

  it('makes up a token beyond loopback and refuses API requests without it', async () => {
    const s = await startServer({ port: 0, host: '0.0.0.0', allowRemote: true, dataDir: join(dir, 'remote') });
    try {
      expect(s.token).toMatch(/^[\w-]{20,}$/);
      const port = new URL(s.url).port;
      expect((await fetch(`http://127.0.0.1:${port}/api/meta`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/api/meta`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/api/meta`, { headers: { authorization: `Bearer ${s.token}` } })).status).toBe(200);
      // the page's event streams carry it in the query (EventSource sends no headers)
      expect((await fetch(`http://127.0.0.1:${port}/api/runs?token=${s.token}`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/api/runs?token=${s.token}x`)).status).toBe(401);
      // the app itself loads without it (it holds nothing secret); it reads the token from its own URL
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).not.toBe(401);
    } finally {
      await s.close();
    }
  });
});
