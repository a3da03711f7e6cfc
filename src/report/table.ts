/** Plain-text tables for terminal output: left-aligned text, right-aligned numbers. */
export type Cell = string | number;

export interface TableOptions {
  /** Columns to right-align; by default every column whose cells are all numbers or numeric text. */
  align?: ('left' | 'right')[];
}

export function renderTable(header: string[], rows: Cell[][], options: TableOptions = {}): string {
  const text = rows.map((r) => r.map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const align =
    options.align ??
    header.map((_, i) => (rows.length > 0 && rows.every((r) => isNumeric(r[i])) ? 'right' : 'left'));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (align[i] === 'right' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

function isNumeric(c: Cell | undefined): boolean {
  if (c === undefined) return true;
  if (typeof c === 'number') return true;
  return /^[-+]?[0-9.,]+(e[-+]?\d+)?\s*[%×xkMGTPµnm]?[A-Za-z/]*$/.test(c.trim()) || c.trim() === '';
}
