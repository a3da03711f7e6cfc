import * as ort from 'onnxruntime-web';
import type { Value } from '../../src/execute/value.js';

/**
 * onnxruntime-web (the WebAssembly CPU build, one thread) as the independent
 * implementation the executor is compared with, in tests and the benchmark.
 */
ort.env.wasm.numThreads = 1;

export function ortFeeds(feeds: Record<string, Value>): Record<string, ort.Tensor> {
  return Object.fromEntries(Object.entries(feeds).map(([n, v]) => [n, v.dtype === 'int64' ? new ort.Tensor('int64', BigInt64Array.from(v.data, (x) => BigInt(x)), v.shape) : new ort.Tensor('float32', Float32Array.from(v.data), v.shape)]));
}

export async function ortSession(file: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(file, { logSeverityLevel: 3 });
}

/** Largest absolute difference, and largest relative one over elements at least 1e-3 of the output's range. */
export function agreement(got: ArrayLike<number>, want: ArrayLike<number>): { maxAbs: number; maxRel: number; scale: number } {
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  let maxAbs = 0, maxRel = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    maxAbs = Math.max(maxAbs, d);
    if (Math.abs(want[i]!) >= 1e-3 * scale) maxRel = Math.max(maxRel, d / Math.abs(want[i]!));
  }
  return { maxAbs, maxRel, scale };
}
