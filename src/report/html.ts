import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { provenanceLine } from '../util/provenance.js';

/**
 * Self-contained HTML reports: tables and charts in one file that opens
 * offline. Charts are drawn by Chart.js (the pinned dependency), whose UMD
 * build is inlined into the page; each chart is a Chart.js configuration
 * (plain JSON).
 */
export interface HtmlTable {
  header: string[];
  rows: (string | number)[][];
}

export interface HtmlSection {
  heading: string;
  text?: string;
  table?: HtmlTable;
  /** A Chart.js configuration object: { type, data, options }. */
  chart?: unknown;
  /** Preformatted blocks, each folded under its summary line. */
  details?: { summary: string; pre: string }[];
}

let chartJs: string | undefined;

/** The Chart.js UMD bundle, read from the installed package. */
function chartJsSource(): string {
  if (chartJs === undefined) {
    const require = createRequire(import.meta.url);
    const main = require.resolve('chart.js'); // …/chart.js/dist/chart.cjs
    chartJs = readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
  }
  return chartJs;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export function htmlPage(title: string, sections: HtmlSection[]): string {
  const charts: unknown[] = [];
  const body = sections
    .map((s) => {
      const parts = [`<h2>${escapeHtml(s.heading)}</h2>`];
      if (s.text) parts.push(`<p>${escapeHtml(s.text)}</p>`);
      if (s.chart) {
        parts.push(`<div class="chart"><canvas id="chart${charts.length}"></canvas></div>`);
        charts.push(s.chart);
      }
      if (s.table) {
        const head = s.table.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
        const rows = s.table.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`).join('\n');
        parts.push(`<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`);
      }
      for (const d of s.details ?? []) parts.push(`<details><summary>${escapeHtml(d.summary)}</summary><pre>${escapeHtml(d.pre)}</pre></details>`);
      return `<section>${parts.join('\n')}</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.chart { position: relative; height: 420px; }
.provenance { color: #666; font-family: ui-monospace, monospace; font-size: 0.9em; }
</style>
<script>${chartJsSource().replace(/<\/script/gi, '<\\/script')}</script>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="provenance">${escapeHtml(provenanceLine())}</p>
${body}
<script>
const configs = ${scriptJson(charts)};
configs.forEach((c, i) => new Chart(document.getElementById('chart' + i), c));
</script>
</body>
</html>
`;
}
