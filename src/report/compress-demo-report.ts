import type { DemoConfig, DemoRun } from '../scaleout/demo/train.js';
import { formatPercent } from '../util/units.js';
import { htmlPage } from './html.js';
import { renderTable } from './table.js';

/** The tables, text and HTML report of `accelmap compress-demo`, from its runs (scaleout/demo/train.ts). */

/** What was trained, in one line. */
export function demoTask(cfg: DemoConfig): string {
  return `small CNN (two 3×3 convolutions, two fully connected layers) on ${cfg.classes} generated ${cfg.imageSize}×${cfg.imageSize} pattern classes; ${cfg.workers} workers × ${cfg.batchPerWorker} samples, ${cfg.steps} steps, SGD lr ${cfg.learningRate} momentum ${cfg.momentum}, seed ${cfg.seed}`;
}

function classStat(run: DemoRun, cls: string, pick: (s: DemoRun['byClass'][number]) => string): string {
  const s = run.byClass.find((c) => c.layerClass === cls);
  return s ? pick(s) : '';
}

/** Accuracy, loss and compression per method and layer type. */
function summaryTable(runs: DemoRun[]): { header: string[]; rows: string[][] } {
  return {
    header: ['method', 'test accuracy', 'final loss', 'ratio', 'conv ratio', 'fc ratio', 'conv error', 'fc error', 'conv sent', 'fc sent'],
    rows: runs.map((r) => [
      r.method,
      formatPercent(r.finalTestAccuracy),
      r.curve[r.curve.length - 1]!.trainLoss.toFixed(3),
      `${r.ratio.toFixed(1)}×`,
      classStat(r, 'convolution', (s) => `${s.ratio.toFixed(1)}×`),
      classStat(r, 'matmul', (s) => `${s.ratio.toFixed(1)}×`),
      classStat(r, 'convolution', (s) => s.relativeError.toFixed(2)),
      classStat(r, 'matmul', (s) => s.relativeError.toFixed(2)),
      classStat(r, 'convolution', (s) => formatPercent(s.density, 2)),
      classStat(r, 'matmul', (s) => formatPercent(s.density, 2)),
    ]),
  };
}

const stepsOf = (runs: DemoRun[]) => runs[0]!.curve.map((c) => c.step);

/** The terminal report: the task, the summary table, and loss / accuracy per step and method. */
export function renderCompressDemo(task: string, runs: DemoRun[]): string {
  const summary = summaryTable(runs);
  const curveRows = stepsOf(runs).map((step, i) => [String(step), ...runs.map((r) => `${r.curve[i]!.trainLoss.toFixed(3)} / ${formatPercent(r.curve[i]!.testAccuracy, 0)}`)]);
  return [task, '', renderTable(summary.header, summary.rows), '', 'training loss / test accuracy', renderTable(['step', ...runs.map((r) => r.method)], curveRows)].join('\n');
}

/** The HTML report: loss and accuracy curves, and the summary table. */
export function compressDemoHtml(task: string, runs: DemoRun[]): string {
  const steps = stepsOf(runs);
  const line = (pick: (c: DemoRun['curve'][number]) => number, title: string) => ({
    type: 'line',
    data: { labels: steps, datasets: runs.map((r) => ({ label: r.method, data: r.curve.map(pick) })) },
    options: { maintainAspectRatio: false, scales: { x: { title: { display: true, text: 'step' } }, y: { title: { display: true, text: title } } } },
  });
  return htmlPage('accelmap compress-demo', [
    { heading: 'Training loss', text: task, chart: line((c) => c.trainLoss, 'mean training loss') },
    { heading: 'Test accuracy', chart: line((c) => c.testAccuracy * 100, 'test accuracy %') },
    { heading: 'Compression per layer type', text: 'ratio = 32-bit gradient bits over bits sent (indices, values, scales and headers); error = ‖decoded − gradient‖ / ‖gradient‖ per step; sent = fraction of elements carried.', table: summaryTable(runs) },
  ]);
}
