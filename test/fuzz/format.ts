import type { CampaignReport, Finding, Outcome } from './campaign.js';

const ORDER: Outcome[] = ['success', 'clean', 'crash', 'hang', 'oom', 'nonsense'];

/** The campaign's counts per reader and outcome, then the distinct findings. */
export function formatReport(r: CampaignReport): string {
  const lines = [`${r.cases} cases (seed ${r.seed}) in ${r.seconds.toFixed(1)} s`];
  const row = (name: string, c: Record<Outcome, number>) => `${name.padEnd(10)}${ORDER.map((o) => String(c[o]).padStart(10)).join('')}`;
  lines.push(`${''.padEnd(10)}${ORDER.map((o) => o.padStart(10)).join('')}`);
  for (const [t, c] of Object.entries(r.byTarget)) lines.push(row(t, c));
  lines.push(row('total', r.counts));
  lines.push(`clean errors showing control characters from the input: ${r.unescaped}`);
  const groups = new Map<string, Finding[]>();
  for (const f of r.findings) {
    const key = `${f.outcome}: ${f.detail.split('\n')[0]!.slice(0, 160)}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  for (const [key, fs] of groups) {
    lines.push(`${fs.length}× ${key}`);
    const withFile = fs.find((f) => f.reproducer) ?? fs[0]!;
    lines.push(`   e.g. case ${withFile.case}, ${withFile.seed}: ${withFile.what}${withFile.reproducer ? ` → ${withFile.reproducer} (${withFile.minimizedBytes} of ${withFile.bytes} bytes)` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
