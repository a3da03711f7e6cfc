/** CSV as spreadsheets read it: a header row, then one row per record; cells quoted only where needed, absent values empty. */
export function renderCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n');
}

function csvCell(x: unknown): string {
  const s = x === null || x === undefined ? '' : String(x);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
