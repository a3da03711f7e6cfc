import type { Profile } from './profile.js';

/**
 * Comparing workloads as Fathom does: each workload is the vector of the
 * fractions of its modeled time spent in each op type; two workloads are as
 * similar as the cosine of the angle between their vectors (1 = the same
 * mix, 0 = no op type in common). Similar workloads are grouped by
 * average-linkage agglomerative clustering on the distance 1 − cosine; the
 * dendrogram's leaf order lists similar workloads next to each other.
 */
export type OpMix = Record<string, number>;

/** Fractions of modeled time by op type, or by op class (which puts Gemm, MatMul and their gradients together). */
export function opMix(p: Profile, by: 'type' | 'class' = 'type'): OpMix {
  return Object.fromEntries((by === 'type' ? p.byOpType : p.byOpClass).map((r) => [r.key, r.timeShare]));
}

export function cosineSimilarity(a: OpMix, b: OpMix): number {
  let dot = 0, na = 0, nb = 0;
  for (const [k, v] of Object.entries(a)) {
    na += v * v;
    dot += v * (b[k] ?? 0);
  }
  for (const v of Object.values(b)) nb += v * v;
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

export function similarityMatrix(mixes: OpMix[]): number[][] {
  return mixes.map((a) => mixes.map((b) => cosineSimilarity(a, b)));
}

export interface Merge {
  /** Indices of the workloads in the two clusters joined. */
  left: number[];
  right: number[];
  /** Average similarity between their members. */
  similarity: number;
}

export interface Grouping {
  /** Dendrogram leaf order: similar workloads are adjacent. */
  order: number[];
  /** Joins, most similar first. */
  merges: Merge[];
}

/** Average-linkage agglomerative clustering of a similarity matrix; ties go to the lowest indices. */
export function groupBySimilarity(sim: number[][]): Grouping {
  let clusters = sim.map((_, i) => [i]);
  const merges: Merge[] = [];
  const linkage = (a: number[], b: number[]) => {
    let s = 0;
    for (const i of a) for (const j of b) s += sim[i]![j]!;
    return s / (a.length * b.length);
  };
  while (clusters.length > 1) {
    let best = { i: 0, j: 1, s: -Infinity };
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const s = linkage(clusters[i]!, clusters[j]!);
        if (s > best.s) best = { i, j, s };
      }
    }
    const left = clusters[best.i]!, right = clusters[best.j]!;
    merges.push({ left, right, similarity: best.s });
    clusters = [...clusters.slice(0, best.i), [...left, ...right], ...clusters.slice(best.i + 1, best.j), ...clusters.slice(best.j + 1)];
  }
  return { order: clusters[0] ?? [], merges };
}
