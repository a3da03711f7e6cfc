import type { Directive } from '../mapping/directives.js';

/**
 * A mapping as a loop nest in the style of Timeloop's map.txt: each storage
 * level with the data spaces it keeps, then its loops outermost first
 * (temporal ones in its loop order, then the spatial ones, marked
 * Spatial-X/Y), indented one step per loop; loops of one iteration are left
 * out.
 */
export function loopNest(directives: readonly Directive[]): string {
  const targets = [...new Set(directives.map((d) => d.target))];
  const lines: string[] = [];
  let depth = 0;
  for (const target of targets) {
    const of = (type: Directive['type']) => directives.find((d) => d.target === target && d.type === type);
    const keep = of('bypass')?.keep ?? [];
    const header = `${target} [ ${keep.join(' ')}${keep.length ? ' ' : ''}]`;
    lines.push(header, '-'.repeat(header.length));
    const loop = (dim: string, n: number, note = '') => {
      if (n <= 1) return;
      lines.push(`|${' '.repeat(1 + 2 * depth)}for ${dim} in [0:${n})${note}`);
      depth++;
    };
    const temporal = of('temporal');
    if (temporal) {
      const factors = factorMap(temporal.factors);
      for (const dim of dimsOf(temporal.permutation).reverse()) loop(dim, factors.get(dim) ?? 1);
    }
    const spatial = of('spatial');
    if (spatial) {
      const factors = factorMap(spatial.factors);
      const dims = dimsOf(spatial.permutation);
      dims.forEach((dim, i) => loop(dim, factors.get(dim) ?? 1, i < (spatial.split ?? dims.length) ? ' (Spatial-X)' : ' (Spatial-Y)'));
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

/** `K=4 C=2` → {K: 4, C: 2}. */
function factorMap(text: string | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const part of (text ?? '').split(/\s+/).filter(Boolean)) {
    const [dim, n] = part.split('=');
    m.set(dim!, Number(n));
  }
  return m;
}

/** A permutation (innermost first) as dim names: `KC` or `K C`. */
function dimsOf(permutation: string | undefined): string[] {
  const p = (permutation ?? '').trim();
  return /\s/.test(p) ? p.split(/\s+/) : [...p];
}
