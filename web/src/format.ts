/** Numbers as the CLI prints them: SI prefixes, three significant digits. */
const PREFIXES: [number, string][] = [
  [1e15, 'P'],
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

export function count(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  for (const [v, p] of PREFIXES) if (Math.abs(x) >= v) return `${(x / v).toPrecision(3)}${p}`;
  return Number.isInteger(x) ? String(x) : x.toPrecision(3);
}

export function energy(pj: number): string {
  const units: [number, string][] = [
    [1e12, 'J'],
    [1e9, 'mJ'],
    [1e6, 'µJ'],
    [1e3, 'nJ'],
  ];
  for (const [v, u] of units) if (Math.abs(pj) >= v) return `${(pj / v).toPrecision(3)} ${u}`;
  return `${pj.toPrecision(3)} pJ`;
}

export function seconds(s: number): string {
  if (s >= 1) return `${s.toPrecision(3)} s`;
  if (s >= 1e-3) return `${(s * 1e3).toPrecision(3)} ms`;
  if (s >= 1e-6) return `${(s * 1e6).toPrecision(3)} µs`;
  return `${(s * 1e9).toPrecision(3)} ns`;
}

export function bytes(b: number): string {
  const units: [number, string][] = [
    [2 ** 40, 'TiB'],
    [2 ** 30, 'GiB'],
    [2 ** 20, 'MiB'],
    [2 ** 10, 'KiB'],
  ];
  for (const [v, u] of units) if (Math.abs(b) >= v) return `${(b / v).toPrecision(3)} ${u}`;
  return `${b} B`;
}

export const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;
