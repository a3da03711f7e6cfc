// Fuzzes the ONNX reader harder than the test does: random truncations and
// byte flips of every real model in ../shared, reporting how many mutated
// files imported, how many were refused with a clean one-line error, how
// many escaped (must be 0), the time per case and the peak RSS.
//   npm run bench -- onnx-fuzz            (ACCELMAP_FUZZ_CASES per model, default 10000)
import { readFileSync, readdirSync } from 'node:fs';
import { sharedDir } from '../src/util/shared.js';
import { fuzzModel } from '../test/onnx/fuzz.js';

const perModel = Number(process.env.ACCELMAP_FUZZ_CASES ?? 10000);
const files = [
  ...['squeezenet1_1', 'mobilenet_v2', 'gpt_mini'].map((m) => sharedDir('models', `${m}.onnx`)),
  ...readdirSync(sharedDir('onnx-tests', 'light')).filter((f) => f.endsWith('.onnx')).sort().map((f) => sharedDir('onnx-tests', 'light', f)),
];
let cases = 0;
let escaped = 0;
const t0 = performance.now();
const rssBefore = process.memoryUsage().rss;
for (const file of files) {
  const start = performance.now();
  const r = fuzzModel(new Uint8Array(readFileSync(file)), file, perModel, 1);
  cases += r.cases;
  escaped += r.escaped.length;
  const name = file.slice(file.lastIndexOf('/') + 1);
  console.log(`${name.padEnd(26)} ${String(r.cases).padStart(7)} cases: ${String(r.imported).padStart(6)} imported, ${String(r.rejected).padStart(6)} refused cleanly, ${r.escaped.length} escaped  (${((performance.now() - start) / r.cases).toFixed(2)} ms/case)`);
  for (const e of r.escaped.slice(0, 5)) console.log(`  ${e}`);
}
const seconds = (performance.now() - t0) / 1000;
console.log(`total: ${cases} cases in ${seconds.toFixed(1)} s, ${escaped} escaped; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (${(rssBefore / 2 ** 20).toFixed(0)} MiB before fuzzing)`);
if (escaped) process.exitCode = 1;
