import { AccelmapError } from './errors.js';

const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/** Parses a byte size such as `12GB`, `24MiB`, `108 KB` or a plain number of bytes. */
export function parseBytes(text: string, what = 'size'): number {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? (m[2] || 'b').toLowerCase() : '';
  const scale = SIZE_UNITS[unit];
  if (!m || scale === undefined) {
    throw new AccelmapError('bad-input', `cannot read ${what} '${text}'`, {}, 'write a number with a unit such as 12GB, 512MiB or 108KB');
  }
  return Number(m[1]) * scale;
}

const FREQ_UNITS: Record<string, number> = { hz: 1, khz: 1e3, mhz: 1e6, ghz: 1e9 };

/** A clock such as `700MHz`, `1.5 GHz` or `2e8Hz` in Hz; undefined when the text is not one. */
export function hzOf(text: string): number | undefined {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*([kmg]?hz)\s*$/i.exec(text);
  return m ? Number(m[1]) * FREQ_UNITS[m[2]!.toLowerCase()]! : undefined;
}

/** Human-readable byte count with binary prefixes for memories (e.g. `1.5 GiB`). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[i]}`;
}

/** Compact decimal count with SI prefixes (e.g. `4.09 G`). */
export function formatCount(n: number, digits = 3): string {
  const units = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  const text = i === 0 && Number.isInteger(v) ? String(v) : v.toPrecision(digits);
  return units[i] ? `${text} ${units[i]}` : text;
}

/** Seconds in the most readable unit (ns, µs, ms, s). */
export function formatSeconds(s: number): string {
  const a = Math.abs(s);
  if (a === 0) return '0 s';
  if (a < 1e-6) return `${(s * 1e9).toPrecision(3)} ns`;
  if (a < 1e-3) return `${(s * 1e6).toPrecision(3)} µs`;
  if (a < 1) return `${(s * 1e3).toPrecision(3)} ms`;
  return `${s.toPrecision(3)} s`;
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** An energy in picojoules with the SI prefix that keeps 1 ≤ value < 1000, four significant digits, never an exponent (e.g. `81.92 mJ`, `847.2 µJ`). */
export function formatEnergy(pj: number): string {
  const units = ['pJ', 'nJ', 'µJ', 'mJ', 'J', 'kJ'];
  let v = pj;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  const digits = Math.abs(v) >= 100 ? 1 : Math.abs(v) >= 10 ? 2 : 3;
  return `${v.toFixed(digits)} ${units[i]}`;
}
