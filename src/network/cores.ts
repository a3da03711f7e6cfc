import type { Interconnect } from '../arch/types.js';
import type { Problem } from '../problem/types.js';
import { dataSpaceSize } from '../problem/types.js';
import { dimRoles } from '../search/dataflows.js';

/**
 * Splitting one layer across the cores (or chips) of an interconnect. Each
 * core runs the layer with one dim divided by the core count (rounded up);
 * the transfers the split needs go over the links before the layer runs:
 *   batch           — each core has its own samples: no transfer;
 *   output-channels — every core needs all inputs: an all-gather of the inputs;
 *   spatial         — cores need the input halo of their neighbours: the
 *                     extra input elements of the split (sent point to point);
 *   input-channels  — partial outputs are summed: a reduce-scatter of the outputs.
 * A ring all-gather or reduce-scatter of S bytes over n cores takes
 * (n − 1)/n · S / B + (n − 1)·α cycles (per-link bandwidth B, latency α); a
 * mesh does it along X, then along Y. Transfers do not overlap the compute.
 */
export const PARTITIONS = ['batch', 'output-channels', 'spatial', 'input-channels'] as const;
export type PartitionKind = (typeof PARTITIONS)[number];

export interface Partition {
  kind: PartitionKind | 'single';
  /** The dim split (absent for `single`). */
  dim?: string;
  problem: Problem;
  /** Bytes each core receives, and over all cores. */
  bytesPerCore: number;
  transferCycles: number;
  transferEnergyPj: number;
}

function split(problem: Problem, d: number, n: number): Problem {
  const bounds = [...problem.bounds];
  bounds[d] = Math.ceil(bounds[d]! / n);
  return { ...problem, bounds };
}

function collectiveCycles(net: Interconnect, bytes: number): number {
  const ring = (n: number, s: number) => (n <= 1 ? 0 : ((n - 1) / n) * (s / net.linkBandwidthBytesPerCycle) + (n - 1) * net.linkLatencyCycles);
  if (net.topology === 'ring') return ring(net.count, bytes);
  const my = net.count / net.meshX;
  return ring(net.meshX, bytes / my) + ring(my, bytes);
}

function bytesOf(problem: Problem, name: string, bits: number): number {
  const ds = problem.dataSpaces.find((s) => s.name === name);
  return ds ? (dataSpaceSize(problem, ds) * bits) / 8 : 0;
}

/** Bits of an element moved between cores: inputs at `operandBits`, summed partial outputs at `resultBits`. */
export interface TransferBits {
  operandBits: number;
  resultBits: number;
}

/**
 * The ways to split a problem over the interconnect's cores (only dims large
 * enough to split); transfers at `bits` (default: the problem's own operand
 * and result bits; under a precision mode, its operand and accumulator bits).
 */
export function partitions(problem: Problem, net: Interconnect, bits: TransferBits = problem): Partition[] {
  const n = net.count;
  const single: Partition = { kind: 'single', problem, bytesPerCore: 0, transferCycles: 0, transferEnergyPj: 0 };
  if (n <= 1) return [single];
  const roles = dimRoles(problem);
  const largest = (dims: number[]) => dims.filter((d) => problem.bounds[d]! >= n).sort((a, b) => problem.bounds[b]! - problem.bounds[a]!)[0];
  const batchDim = roles.pix.find((d) => (problem.dims[d] === 'N' || problem.dims[d] === 'B') && problem.bounds[d]! >= n);
  const spatialDim = largest(roles.pix.filter((d) => d !== batchDim));
  const windows = [roles.rowWindow, roles.colWindow];
  const choices: [PartitionKind, number | undefined][] = [
    ['batch', batchDim],
    ['output-channels', largest(roles.out)],
    ['spatial', spatialDim],
    ['input-channels', largest(roles.red.filter((d) => !windows.includes(d)))],
  ];
  const out: Partition[] = [single];
  const { operandBits, resultBits } = bits;
  for (const [kind, d] of choices) {
    if (d === undefined) continue;
    const sub = split(problem, d, n);
    let perCore = 0, cycles = 0;
    if (kind === 'output-channels') {
      const s = bytesOf(problem, 'Inputs', operandBits);
      perCore = ((n - 1) / n) * s;
      cycles = collectiveCycles(net, s);
    } else if (kind === 'spatial') {
      perCore = Math.max(0, (n * bytesOf(sub, 'Inputs', operandBits) - bytesOf(problem, 'Inputs', operandBits)) / n);
      cycles = perCore / net.linkBandwidthBytesPerCycle + net.linkLatencyCycles;
    } else if (kind === 'input-channels') {
      const s = bytesOf(problem, 'Outputs', resultBits);
      perCore = ((n - 1) / n) * s;
      cycles = collectiveCycles(net, s);
    }
    out.push({ kind, dim: problem.dims[d], problem: sub, bytesPerCore: perCore, transferCycles: Math.ceil(cycles), transferEnergyPj: perCore * n * net.linkEnergyPerBytePj });
  }
  return out;
}
