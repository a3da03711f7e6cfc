/** Pareto dominance over objective vectors, every objective minimized. */
function dominates(a: readonly number[], b: readonly number[]): boolean {
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

/**
 * Hypervolume (all objectives minimized) dominated by `points` and bounded by
 * `reference`: the measure of the union of the boxes [p, reference]. Exact, by
 * slicing along the last objective and recursing (fine for the fronts of a
 * few hundred points this is used on). Points not below the reference in
 * every objective add nothing.
 */
export function hypervolume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const inside = points.filter((p) => p.every((x, k) => x < reference[k]!));
  return volume(inside, reference);
}

function volume(points: readonly (readonly number[])[], ref: readonly number[]): number {
  const m = ref.length;
  if (points.length === 0) return 0;
  if (m === 1) return ref[0]! - Math.min(...points.map((p) => p[0]!));
  const sorted = [...points].sort((a, b) => a[m - 1]! - b[m - 1]!);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const lo = sorted[i]![m - 1]!, hi = i + 1 < sorted.length ? sorted[i + 1]![m - 1]! : ref[m - 1]!;
    if (hi <= lo) continue;
    total += (hi - lo) * volume(sorted.slice(0, i + 1).map((p) => p.slice(0, m - 1)), ref.slice(0, m - 1));
  }
  return total;
}
