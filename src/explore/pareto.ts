/** Pareto dominance over objective vectors, every objective minimized. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! > b[i]!) return false;
    if (a[i]! < b[i]!) better = true;
  }
  return better;
}

/**
 * Fast non-dominated sort (Deb et al., 2002): the indices of `points` in
 * fronts, the first front being the non-dominated points.
 */
export function nondominatedSort(points: readonly (readonly number[])[]): number[][] {
  const n = points.length;
  const dominatedBy: number[][] = Array.from({ length: n }, () => []);
  const count = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      if (dominates(points[i]!, points[j]!)) {
        dominatedBy[i]!.push(j);
        count[j]!++;
      } else if (dominates(points[j]!, points[i]!)) {
        dominatedBy[j]!.push(i);
        count[i]!++;
      }
    }
  const fronts: number[][] = [];
  let current = [...Array(n).keys()].filter((i) => count[i] === 0);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current)
      for (const j of dominatedBy[i]!) if (--count[j]! === 0) next.push(j);
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/** Indices of the non-dominated points, ascending. */
export function paretoFront(points: readonly (readonly number[])[]): number[] {
  return nondominatedSort(points)[0] ?? [];
}

/** NSGA-II crowding distance of each member of one front (same order as `front`). */
export function crowdingDistance(points: readonly (readonly number[])[], front: readonly number[]): number[] {
  const dist = new Array<number>(front.length).fill(0);
  const m = points[front[0] ?? 0]?.length ?? 0;
  for (let k = 0; k < m; k++) {
    const order = [...front.keys()].sort((a, b) => points[front[a]!]![k]! - points[front[b]!]![k]! || front[a]! - front[b]!);
    const lo = points[front[order[0]!]!]![k]!, hi = points[front[order[order.length - 1]!]!]![k]!;
    dist[order[0]!] = Infinity;
    dist[order[order.length - 1]!] = Infinity;
    if (hi === lo) continue;
    for (let r = 1; r < order.length - 1; r++) dist[order[r]!]! += (points[front[order[r + 1]!]!]![k]! - points[front[order[r - 1]!]!]![k]!) / (hi - lo);
  }
  return dist;
}
