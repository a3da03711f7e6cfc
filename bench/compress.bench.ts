// Compressor throughput on a 4 M-element gradient, as multiples of one
// streaming pass (read two arrays, write one) measured in the same run — to
// compare with the encode passes the time model charges (ENCODE_PASSES).
import { COMPRESSION_METHODS, GradientCompressor } from '../src/scaleout/compress/compressors.js';
import { totalBits } from '../src/scaleout/compress/encoding.js';
import { ENCODE_PASSES } from '../src/scaleout/compress/wire.js';
import { Rng } from '../src/util/rng.js';

const n = 4 * 1024 * 1024;
const rng = new Rng(1);
const grads = [0, 1].map(() => Float32Array.from({ length: n }, () => rng.normal() * 1e-2));

function best(fn: () => void, repeats = 5): number {
  let t = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    fn();
    t = Math.min(t, performance.now() - start);
  }
  return t;
}

const a = grads[0]!;
const b = grads[1]!;
const out = new Float32Array(n);
const pass = best(() => {
  for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
});
console.log(`one pass (c = a + b) over ${n} floats: ${pass.toFixed(1)} ms (${((3 * 4 * n) / pass / 1e6).toFixed(2)} GB/s)`);
console.log('method    ms/step  passes  charged passes   ratio');
for (const method of COMPRESSION_METHODS) {
  const c = new GradientCompressor(method, n, 'matmul');
  let k = 0;
  let bits = 0;
  const ms = best(() => {
    bits = totalBits(c.compress(grads[k++ % 2]!).bits);
  });
  console.log(`${method.padEnd(8)} ${ms.toFixed(1).padStart(8)} ${(ms / pass).toFixed(1).padStart(7)} ${String(ENCODE_PASSES[method]).padStart(15)} ${((32 * n) / bits).toFixed(1).padStart(7)}×`);
}
