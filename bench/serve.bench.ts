// The web UI's figures, in headless chromium (ACCELMAP_CHROMIUM or
// /usr/bin/chromium): time from starting `accelmap serve` to the page's first
// paint, against a bare Node HTTP server serving one line of HTML measured
// the same way in the same run; the bundle's size; and the time to lay out
// and draw resnet50's graph against resnet18's (medians of 5).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = process.env.ACCELMAP_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.log(`skipped: no chromium at ${CHROMIUM}`);
  process.exit(0);
}
if (!existsSync('dist/web/index.html')) throw new Error('dist/web is missing: npm run build');

const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const BARE = `require('http').createServer((q, s) => { s.setHeader('content-type', 'text/html'); s.end('<!doctype html><p>ok</p>'); }).listen(0, '127.0.0.1', function () { console.log('http://127.0.0.1:' + this.address().port + '/'); });`;

/** Milliseconds from spawning the server to the first contentful paint of its page (a fresh browser context each time). */
async function toFirstPaint(browser: Browser, args: string[]): Promise<number> {
  const t0 = Date.now();
  const server = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    const paint = await page.waitForFunction(`(() => { const e = performance.getEntriesByName('first-contentful-paint')[0]; return e ? performance.timeOrigin + e.startTime : 0; })()`);
    const ms = (await paint.jsonValue()) as number;
    await context.close();
    return ms - t0;
  } finally {
    server.kill('SIGTERM');
  }
}

/** Milliseconds the Model view reports for laying out and drawing a model's graph, and its op count. */
async function graphMs(browser: Browser, url: string, model: string): Promise<{ ms: number; ops: number }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${url}#model`);
  await page.selectOption('select[name="model"]', model);
  await page.click('button[name="run"]');
  const ms = Number(await (await page.waitForSelector('[data-render-ms]', { timeout: 60_000 })).getAttribute('data-render-ms'));
  const ops = Number(await page.getAttribute('svg.graph-svg', 'data-nodes'));
  await context.close();
  return { ms, ops };
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'] });
const dir = mkdtempSync(join(tmpdir(), 'accelmap-serve-bench-'));
try {
  const bare: number[] = [], accelmap: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    bare.push(await toFirstPaint(browser, ['-e', BARE]));
    accelmap.push(await toFirstPaint(browser, ['bin/accelmap.js', 'serve', '--port', '0', '--data-dir', join(dir, 'data')]));
  }
  const [b, a] = [median(bare), median(accelmap)];
  console.log(`start → first paint: accelmap serve ${a.toFixed(0)} ms, bare Node server ${b.toFixed(0)} ms (medians of ${RUNS}) = ${(a / b).toFixed(2)}× baseline`);

  let raw = 0, gz = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const bytes = readFileSync(p);
        raw += bytes.length;
        gz += gzipSync(bytes, { level: 9 }).length;
      }
    }
  };
  walk('dist/web');
  console.log(`bundle (dist/web): ${(raw / 1024).toFixed(0)} KiB, ${(gz / 1024).toFixed(0)} KiB gzipped`);

  const server = spawn(process.execPath, ['bin/accelmap.js', 'serve', '--port', '0', '--data-dir', join(dir, 'data')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve) => server.stdout!.on('data', (c: Buffer) => /(http:\/\/127\.0\.0\.1:\d+\/)/.test(c.toString()) && resolve(/(http:\/\/127\.0\.0\.1:\d+\/)/.exec(c.toString())![1]!)));
    const r18: number[] = [], r50: number[] = [];
    let ops18 = 0, ops50 = 0;
    for (let i = 0; i < RUNS; i++) {
      const a = await graphMs(browser, url, 'resnet18'), b = await graphMs(browser, url, 'resnet50');
      [ops18, ops50] = [a.ops, b.ops];
      r18.push(a.ms);
      r50.push(b.ms);
    }
    console.log(`graph layout + draw: resnet50 (${ops50} ops) ${median(r50).toFixed(0)} ms, resnet18 (${ops18} ops) ${median(r18).toFixed(0)} ms (medians of ${RUNS}) = ${(median(r50) / median(r18)).toFixed(2)}× baseline`);
  } finally {
    server.kill('SIGTERM');
  }
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
