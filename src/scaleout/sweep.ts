import { stepTime, type ParallelConfig, type StepResult } from './step.js';
import { makeSystem, type SystemSpec } from './system.js';
import type { StepProfile } from './profile.js';
import { isAccelmapError } from '../util/errors.js';

/** Powers of two from 1 up to `max`, and `max` itself. */
export function deviceCounts(max: number): number[] {
  const counts: number[] = [];
  for (let n = 1; n < max; n *= 2) counts.push(n);
  counts.push(max);
  return counts;
}

/**
 * The same system at other sizes: torus dimensions rebalanced, and a
 * hierarchical system with fewer devices than a node shrunk to one node.
 */
export function resized(spec: SystemSpec, devices: number): SystemSpec {
  const s: SystemSpec = { ...spec, devices };
  if (spec.devices !== devices) delete s.dims;
  if (spec.topology === 'hier' && spec.nodeDevices !== undefined && devices < spec.nodeDevices) s.nodeDevices = devices;
  return s;
}

export interface SweepRow extends StepResult {
  method: ParallelConfig['exchange']['method'];
}

/**
 * Step results at each device count; sizes the parallel layout cannot use
 * (fewer devices than a tensor or pipeline group, or not a multiple of it,
 * or not whole nodes) are left out.
 */
export function scalingSweep(profile: StepProfile, spec: SystemSpec, counts: readonly number[], cfg: ParallelConfig): SweepRow[] {
  const rows: SweepRow[] = [];
  for (const n of counts) {
    try {
      rows.push({ method: cfg.exchange.method, ...stepTime(profile, makeSystem(resized(spec, n)), cfg) });
    } catch (e) {
      if (!isAccelmapError(e)) throw e;
    }
  }
  return rows;
}
