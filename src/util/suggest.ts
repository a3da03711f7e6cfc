/** ` (did you mean X?)` when a known name is within two edits of `name` (case-insensitive); '' otherwise. */
export function suggest(name: string, known: readonly string[], open = '', close = ''): string {
  const best = nearest(name, known);
  return best === undefined ? '' : ` (did you mean ${open}${best}${close}?)`;
}

/** The known name closest to `name` within two edits (case-insensitive), if any. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
