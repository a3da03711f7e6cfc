import type { DType } from '../workload/dtype.js';
import type { Value } from './value.js';

/** What a run prints of a value: shape, type, range, mean and the first elements. */
export interface ValueSummary {
  shape: number[];
  dtype: DType;
  min: number;
  max: number;
  mean: number;
  first: number[];
}

export function summarize(v: Value, firstCount = 8): ValueSummary {
  let min = Infinity, max = -Infinity, sum = 0;
  for (let i = 0; i < v.data.length; i++) {
    const x = v.data[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  return { shape: [...v.shape], dtype: v.dtype, min, max, mean: v.data.length ? sum / v.data.length : 0, first: Array.from(v.data.subarray(0, firstCount)) };
}
