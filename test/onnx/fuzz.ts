import { isAccelmapError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';
import { importModel } from '../../src/workload/onnx/import.js';
import { readModelBytes } from '../../src/workload/onnx/proto.js';

/**
 * Reader fuzzing: random truncations and byte flips of a real model. Every
 * case must either import or fail with an AccelmapError rendered as one line
 * naming the file; anything else (another exception) escapes and is
 * recorded with the seed and mutation that reproduce it.
 */
export interface FuzzReport {
  cases: number;
  imported: number;
  rejected: number;
  escaped: string[];
}

/** Where flips land: anywhere, in the node list near the start, or in the input/output declarations near the end. */
function flipPosition(rng: Rng, size: number): number {
  const region = rng.int(3);
  if (region === 0) return rng.int(size);
  if (region === 1) return rng.int(Math.min(size, 1 << 16));
  return size - 1 - rng.int(Math.min(size, 1 << 14));
}

export function fuzzModel(bytes: Uint8Array, file: string, cases: number, seed: number): FuzzReport {
  const rng = new Rng(seed);
  const report: FuzzReport = { cases, imported: 0, rejected: 0, escaped: [] };
  for (let k = 0; k < cases; k++) {
    const truncate = rng.int(4) === 0;
    const length = truncate ? rng.int(bytes.length) : bytes.length;
    const flips: [number, number][] = [];
    if (!truncate || rng.int(2) === 0) {
      for (let n = 1 + rng.int(4); n > 0; n--) {
        const at = flipPosition(rng, length);
        if (at >= 0) flips.push([at, bytes[at]!]);
      }
    }
    const what = `case ${k} (seed ${seed}): length ${length}, flips [${flips.map(([at]) => at).join(',')}]`;
    for (const [at] of flips) bytes[at] = bytes[at]! ^ (1 + rng.int(255));
    try {
      importModel(readModelBytes(bytes.subarray(0, length), file), file);
      report.imported++;
    } catch (e) {
      if (isAccelmapError(e) && !/\n/.test(e.render()) && (e.location.file === file || e.render().includes(file))) report.rejected++;
      else report.escaped.push(`${what}: ${e instanceof Error ? (e.stack ?? e.message).split('\n').slice(0, 3).join(' | ') : String(e)}`);
    } finally {
      for (let i = flips.length - 1; i >= 0; i--) bytes[flips[i]![0]] = flips[i]![1];
    }
  }
  return report;
}
