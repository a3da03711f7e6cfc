import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPLORE_MAPPER_DEFAULTS, explore, loadLayer, loadSpace, openStore, paretoFront } from '../src/index.js';
import { presetPath } from '../src/util/paths.js';
import { cli, cliJson } from './cli-helpers.js';

/**
 * The web UI in a real browser: Debian's chromium, headless, driven by
 * playwright-core, against `accelmap serve` started as the CLI starts it.
 * Screenshots of each view go to test-artifacts/.
 */
const CHROMIUM = process.env.ACCELMAP_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const haveBundle = existsSync(new URL('../dist/web/index.html', import.meta.url));
const why = !haveChromium ? `no chromium at ${CHROMIUM} (set ACCELMAP_CHROMIUM or apt-get install chromium)` : !haveBundle ? 'dist/web is not built (npm run build)' : '';
if (why) console.log(`serve-browser tests skipped: ${why}`);

const ARTIFACTS = new URL('../test-artifacts/', import.meta.url).pathname;
/** Waits for a job's result to show (`selector`), failing at once with the job's error if it shows one instead. */
async function finished(page: Page, selector: string, timeout = 60_000) {
  const shown = await page.waitForSelector(`${selector}, [data-job-error]`, { timeout });
  if ((await shown.getAttribute('data-job-error')) !== null) throw new Error(`the job failed: ${await shown.textContent()}`);
  return shown;
}
/** Switches view and waits until it is the one drawn (the page re-renders after the click returns). */
async function openView(page: Page, view: string) {
  await page.click(`nav a[data-view="${view}"]`);
  await page.waitForSelector(`main[data-current-view="${view}"]`);
}
const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });

let browser: Browser;
let page: Page;
let server: ChildProcess;
let url: string;
let dir: string;
/** Requests the page made anywhere but its own server, over every view. */
const external: string[] = [];
/** The CLI's totals for the map the page ran, for the Runs view's reopening of it. */
let mappedCycles: number;
/** Figures printed at the end: from `accelmap serve` to first paint, and resnet50's graph. */
const figures: Record<string, string> = {};

// the stored exploration the Explore view shows: a few designs of the Eyeriss space for one small convolution
const LAYER = 'conv:K=16,C=16,P=8,Q=8,R=3,S=3';

describe.skipIf(why !== '')('accelmap serve in a browser', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'accelmap-browser-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    const data = join(dir, 'data');
    mkdirSync(data);
    const store = openStore(join(data, 'results.db'));
    try {
      await explore(loadSpace(presetPath('spaces', 'eyeriss.yaml')), [{ name: LAYER, workload: loadLayer(LAYER), options: {} }], {
        objectives: ['latency', 'energy', 'area'],
        strategy: 'random',
        budget: 8,
        seed: 3,
        mapper: { ...EXPLORE_MAPPER_DEFAULTS, budget: { evaluations: 150 } },
        store,
      });
    } finally {
      store.close();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (r) => {
      if (!r.url().startsWith('http://127.0.0.1:') && !r.url().startsWith('data:')) external.push(r.url());
    });
    const t0 = Date.now();
    server = spawn(process.execPath, ['bin/accelmap.js', 'serve', '--port', '0', '--data-dir', data, '--jobs', '3'], { stdio: ['ignore', 'pipe', 'inherit'] });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      server.once('exit', (code) => reject(new Error(`accelmap serve exited with ${code}`)));
    });
    await page.goto(url);
    await page.waitForSelector('nav a[data-view="map"]');
    const paint = await page.evaluate(() => {
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      return fcp ? performance.timeOrigin + fcp.startTime : null;
    });
    expect(paint).not.toBeNull();
    figures['accelmap serve → first paint'] = `${(paint! - t0).toFixed(0)} ms`;
  });

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`serve-browser figures: ${Object.entries(figures).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  });

  it('draws resnet50\'s graph, op-type profile and roofline in the Model view', async () => {
    await openView(page, 'model');
    await page.selectOption('select[name="model"]', 'resnet50');
    await page.click('button[name="run"]');
    const bar = await finished(page, '[data-render-ms]');
    figures['resnet50 graph layout + draw'] = `${await bar.getAttribute('data-render-ms')} ms`;
    expect(Number(await page.getAttribute('svg.graph-svg', 'data-nodes'))).toBeGreaterThan(150);
    await page.waitForSelector('[data-chart="roofline"] svg');
    await page.waitForSelector('[data-table="train-vs-infer"]');
    await shot(page, 'model-resnet50.png');
  });

  it('maps resnet18 on eyeriss: the chart and table totals are the CLI\'s --json totals', async () => {
    const budget = '1000';
    await openView(page, 'map');
    await page.selectOption('select[name="model"]', 'resnet18');
    await page.selectOption('select[name="arch"]', 'eyeriss');
    await page.fill('input[name="budget"]', budget);
    await page.dispatchEvent('input[name="budget"]', 'change');
    await page.click('button[name="run"]');
    await page.waitForSelector('[data-progress]', { timeout: 30_000 });
    const summary = await finished(page, '[data-total-cycles]', 120_000);
    const want = await cliJson('map', 'resnet18', '--arch', 'eyeriss', '--budget', budget, '--json', '--no-progress');
    expect(Number(await summary.getAttribute('data-total-cycles'))).toBe(want.totals.cycles);
    mappedCycles = want.totals.cycles;
    expect(Number(await page.getAttribute('[data-total-energy]', 'data-total-energy'))).toBe(want.totals.energyPj);
    expect(await page.textContent('[data-command]')).toBe(`accelmap map resnet18 --arch eyeriss --dataflow auto --objective edp --strategy hybrid --budget ${budget} --seed 1 --json`);
    // the table: one row per layer, and its total row
    const table = '[data-table="layers"]';
    expect(await page.locator(`${table} tbody tr`).count()).toBe(want.layers.length);
    const cols = await page.locator(`${table} thead th`).allTextContents();
    const total = (label: string) => page.getAttribute(`${table} tfoot td:nth-child(${cols.indexOf(label) + 1})`, 'data-value').then(Number);
    expect(await total('cycles')).toBe(want.totals.cycles);
    expect(await total('energy')).toBe(want.totals.energyPj);
    // the charts: the per-layer bars add up to the total cycles, the energy-by-level bars to the total energy
    const sums = async (chart: string) => JSON.parse((await page.getAttribute(`[data-chart="${chart}"]`, 'data-sums'))!);
    expect((await sums('layers')).cycles).toBeCloseTo(want.totals.cycles, 0);
    expect((await sums('layers'))['energy (pJ)'] / want.totals.energyPj).toBeCloseTo(1, 9);
    expect((await sums('levels'))['energy (pJ)'] / want.totals.energyPj).toBeCloseTo(1, 9);
    await page.click(`${table} tbody tr:first-child`);
    expect(await page.textContent('[data-loopnest]')).toMatch(/for [a-z] in \[0, \d+\):[\s\S]*MAC$/);
    await shot(page, 'map-resnet18-eyeriss.png');
  });

  it('shows the importer\'s one-line error for a malformed ONNX upload', async () => {
    await openView(page, 'model');
    const bad = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]);
    await page.setInputFiles('input[name="model-file"]', { name: 'broken.onnx', mimeType: 'application/octet-stream', buffer: bad });
    const shown = await (await page.waitForSelector('[data-upload-error]')).textContent();
    const file = join(dir, 'broken.onnx');
    writeFileSync(file, bad);
    const c = await cli('profile', file);
    expect(`accelmap: ${shown}`).toBe(c.err[0]!.replace(file, 'broken.onnx'));
    await shot(page, 'model-upload-error.png');
  });

  it('opens the Pareto front of the stored exploration, a design\'s layers, and two designs side by side', async () => {
    const store = openStore(join(dir, 'data', 'results.db'), { mustExist: true });
    const ok = store.all().filter((d) => d.status === 'ok');
    store.close();
    const front = paretoFront(ok.map((d) => [d.latencyS!, d.energyPj!, d.areaMm2]));
    await openView(page, 'explore');
    const count = await page.waitForSelector(`[data-design-count="${ok.length}"]`);
    expect(Number(await count.getAttribute('data-front-count'))).toBe(front.length);
    const sums = JSON.parse((await page.getAttribute('[data-chart="pareto"]', 'data-sums'))!);
    expect(sums['Pareto front']).toBeCloseTo(front.reduce((s, i) => s + ok[i]!.energyPj!, 0), 0);
    // click two front points: ECharts draws each as an SVG path in the front's colour (the legend's circle is one more, drawn with its own path)
    const points = page.locator('[data-chart="pareto"] svg path[fill="#e4572e"]:not([d^="M19.5 7A7"])');
    await expect.poll(() => points.count()).toBe(front.length);
    const picked = () => page.locator('[data-table="compare"] tr:first-child td').count();
    for (let i = 0; i < Math.min(2, front.length); i++) {
      // the chart may be redrawn under the pointer while the page settles: click again until the pick shows
      await expect
        .poll(async () => {
          const box = (await points.nth(i).boundingBox())!;
          await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
          return picked();
        }, { interval: 500, timeout: 15_000 })
        .toBeGreaterThanOrEqual(i + 1);
    }
    expect(await picked()).toBe(Math.min(2, front.length));
    expect(await page.locator('[data-table^="design-layers-"] tbody tr').count()).toBeGreaterThan(0);
    await shot(page, 'explore-pareto.png');
  });

  it('runs an exploration from the Explore view, the front following the store as designs arrive', async () => {
    await page.selectOption('select[name="model"]', 'deepq');
    await page.selectOption('select[name="strategy"]', 'random');
    for (const [name, value] of [['budget', '3'], ['mapBudget', '100']]) {
      await page.fill(`input[name="${name}"]`, value);
      await page.dispatchEvent(`input[name="${name}"]`, 'change');
    }
    await page.click('button[name="run"]');
    await finished(page, '[data-command]');
    expect(await page.textContent('[data-command]')).toMatch(/^accelmap explore deepq --space presets\/spaces\/eyeriss\.yaml .*--budget 3 --map-budget 100 .*--store \S+results\.db --json$/);
    await page.waitForSelector('[data-design-count="3"]', { timeout: 60_000 });
    expect(await page.inputValue('select[name="shown-group"]')).toBe('eyeriss: deepq');
    await shot(page, 'explore-live.png');
  });

  it('plans memory and scale-out, and lists every run with its command line', async () => {
    await openView(page, 'memory');
    await page.selectOption('select[name="model"]', 'resnet18');
    await page.click('button[name="run"]');
    await finished(page, '[data-table="policies"]');
    await shot(page, 'memory-resnet18.png');
    await openView(page, 'scale');
    await page.click('button[name="run"]');
    await finished(page, '[data-table="scale"]');
    await shot(page, 'scale-resnet50.png');
    await openView(page, 'runs');
    await page.waitForSelector('[data-table="runs"] tbody tr >> nth=3');
    const commands = await page.locator('[data-table="runs"] tbody td:nth-child(5)').allTextContents();
    expect(commands).toContain('accelmap map resnet18 --arch eyeriss --dataflow auto --objective edp --strategy hybrid --budget 1000 --seed 1 --json');
    await shot(page, 'runs.png');
    // a run opens in its view, as it was, in a page that has not run it
    await page.reload();
    await page.waitForSelector('[data-table="runs"] tbody tr >> nth=3');
    expect(await page.locator('[data-total-cycles]').count()).toBe(0);
    const row = page.locator('[data-table="runs"] tbody tr', { hasText: '--budget 1000' });
    await row.locator('button[name="open-run"]').click();
    await page.waitForSelector('main[data-current-view="map"]');
    expect(Number(await page.getAttribute('[data-total-cycles]', 'data-total-cycles'))).toBe(mappedCycles);
  });

  it('made no request beyond its own server in any view', () => {
    expect(external).toEqual([]);
  });
});
