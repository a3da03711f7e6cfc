// The fuzzing campaign as a benchmark: ACCELMAP_FUZZ_CASES mutated inputs
// (default 20000) through every reader in a worker thread, the count of each
// outcome, and the time per case against the same readers on the unmutated
// seeds in this process (the baseline, measured in the same run).
//   npm run bench -- fuzz
import { isAccelmapError } from '../src/util/errors.js';
import { BAD_OUTCOMES, runCampaign } from '../test/fuzz/campaign.js';
import { loadCorpus, TARGETS } from '../test/fuzz/corpus.js';
import { formatReport } from '../test/fuzz/format.js';
import { runTarget } from '../test/fuzz/targets.js';

const cases = Number(process.env.ACCELMAP_FUZZ_CASES ?? 20000);
const corpus = loadCorpus();

let seeds = 0;
const t0 = performance.now();
for (const t of TARGETS) {
  for (const s of corpus[t]) {
    seeds++;
    try {
      runTarget(t, s.files, s.gemm);
    } catch (e) {
      if (!isAccelmapError(e)) throw e;
    }
  }
}
const baselineMs = (performance.now() - t0) / seeds;

const report = await runCampaign({ cases, seed: 1, corpus, workers: 1, outDir: 'fuzz-out' });
process.stdout.write(formatReport(report));
const perCase = (report.seconds * 1000) / cases;
console.log(`${perCase.toFixed(2)} ms per mutated case in a worker; ${baselineMs.toFixed(2)} ms per unmutated seed in this process (${seeds} seeds); ratio ${(perCase / baselineMs).toFixed(2)}`);
if (BAD_OUTCOMES.some((o) => report.counts[o] > 0)) process.exitCode = 1;
