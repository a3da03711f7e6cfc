// `npm run fuzz -- [--cases N] [--seed S] [--workers N] [--time-ms T] [--memory-mb M] [--out DIR] [--no-shared] [--json]`
// Mutates the real inputs of accelmap's readers (ONNX models, arch specs,
// Timeloop and SCALE-Sim files) and runs each case in a worker thread under
// a time and memory cap; prints the count of every outcome and writes a
// minimized reproducer for every crash, hang, out-of-memory and accepted
// nonsense. Exit code 1 when there is any.
import { parseArgs } from 'node:util';
import { formatReport } from './format.js';
import { BAD_OUTCOMES, runCampaign } from './campaign.js';
import { loadCorpus } from './corpus.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    workers: { type: 'string', default: '1' },
    'time-ms': { type: 'string', default: '5000' },
    'memory-mb': { type: 'string', default: '512' },
    out: { type: 'string', default: 'fuzz-out' },
    'no-shared': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const int = (flag: string, v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) {
    console.error(`fuzz: --${flag} must be a positive integer, not '${v}'`);
    process.exit(2);
  }
  return n;
};
const cases = int('cases', values.cases);
const corpus = loadCorpus({ shared: !values['no-shared'] });
process.stderr.write(`fuzz: ${Object.entries(corpus).map(([t, s]) => `${s.length} ${t} seeds`).join(', ')}\n`);
const start = performance.now();
const report = await runCampaign({
  cases,
  seed: int('seed', values.seed),
  corpus,
  workers: int('workers', values.workers),
  timeMs: int('time-ms', values['time-ms']),
  memoryMb: int('memory-mb', values['memory-mb']),
  outDir: values.out,
  onProgress: (done, counts) =>
    process.stderr.write(`fuzz: ${done}/${cases} cases, ${((performance.now() - start) / 1000).toFixed(0)} s: ${BAD_OUTCOMES.map((o) => `${counts[o]} ${o}`).join(', ')}\n`),
});
process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
if (BAD_OUTCOMES.some((o) => report.counts[o] > 0)) process.exitCode = 1;
