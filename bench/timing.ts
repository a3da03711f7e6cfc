/** Timing helpers shared by the benchmarks. */

/** Median wall time of `runs` calls of `f` in ms, after one warm-up call. */
export function medianMs(f: () => void, runs = 9): number {
  f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[runs >> 1]!;
}
