import { readFileSync } from 'node:fs';

/**
 * The figures of a timeloop-model / timeloop-mapper stats.txt, as Timeloop
 * printed them: per storage level and data space the per-instance scalar
 * reads, fills and updates; the cycles; the total energy from the summary's
 * fJ/Compute total × computes (six significant digits, against the summary's
 * two decimals of µJ).
 */
export interface ReferenceStats {
  cycles: number;
  computes: number;
  energyPj: number;
  /** level → data space → [reads, fills, updates] per instance. */
  levels: Map<string, Map<string, [number, number, number]>>;
}

export function readReferenceStats(file: string): ReferenceStats {
  const text = readFileSync(file, 'utf8');
  const levels = new Map<string, Map<string, [number, number, number]>>();
  let level: Map<string, [number, number, number]> | undefined;
  let space: [number, number, number] | undefined;
  const end = text.search(/^Networks$/m);
  for (const line of text.slice(0, end >= 0 ? end : text.indexOf('Summary Stats')).split('\n')) {
    const name = /^=== (\S+) ===$/.exec(line);
    if (name) {
      level = new Map();
      levels.set(name[1]!, level);
      continue;
    }
    const ds = /^ {4}(\w+):$/.exec(line);
    if (ds && level) {
      space = [0, 0, 0];
      level.set(ds[1]!, space);
      continue;
    }
    const count = /^\s+Scalar (reads|fills|updates) \(per-instance\)\s+: (\d+)/.exec(line);
    if (count && space) space[['reads', 'fills', 'updates'].indexOf(count[1]!)] = Number(count[2]);
  }
  const summary = text.slice(text.indexOf('Summary Stats'));
  const num = (re: RegExp) => Number(re.exec(summary)?.[1]);
  const computes = num(/^Computes = (\d+)/m);
  const perCompute = /^fJ\/Compute/m.test(summary) ? num(/^\s+Total\s+= ([\d.]+)/m) / 1000 : num(/^\s+Total\s+= ([\d.]+)/m);
  for (const [name, l] of levels) if (l.size === 0) levels.delete(name);
  return { cycles: num(/^Cycles: (\d+)/m), computes, energyPj: perCompute * computes, levels };
}
