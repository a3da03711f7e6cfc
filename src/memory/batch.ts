import type { Device } from '../device/device.js';
import { silentProgress, type Progress } from '../util/progress.js';
import type { Graph } from '../workload/graph.js';
import { preparePlanner, runPolicy, type PlanOptions } from './plan.js';

/** Batches beyond this are not tried. */
const MAX_BATCH = 1 << 20;

/**
 * The largest batch whose training step fits the capacity under a policy
 * (0 when not even batch 1 fits): doubling until a batch fails, then
 * bisecting. Memory grows with the batch, so fitting is monotone in it.
 */
export function largestBatch(build: (batch: number) => Graph, device: Device, o: PlanOptions, progress: Progress = silentProgress): number {
  const fits = (batch: number): boolean => {
    progress.update(`trying batch ${batch}`);
    return runPolicy(preparePlanner(build(batch), device, o), o.policy ?? 'dyn', o.algorithm).fits;
  };
  const batch = search(fits);
  progress.done();
  return batch;
}

function search(fits: (batch: number) => boolean): number {
  if (!fits(1)) return 0;
  let lo = 1, hi = 2;
  while (fits(hi)) {
    lo = hi;
    if (hi >= MAX_BATCH) return lo;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
