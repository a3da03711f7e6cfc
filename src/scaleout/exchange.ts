import { allGather, allReduce, bestAllReduce, reduceScatter, type AllReduceAlgorithm } from './collectives.js';
import type { CompressionMethod, CompressionOptions } from './compress/compressors.js';
import { ENCODE_PASSES, expectedDensity, expectedMessageBits, isDense, isSparse, type WireAssumptions } from './compress/wire.js';
import { subgroup } from './groups.js';
import type { LayerProfile } from './profile.js';
import { gtopkAllReduce, sparseAllReduce } from './sparse.js';
import type { System } from './system.js';
import { AccelmapError } from '../util/errors.js';

/**
 * The cost of exchanging gradients among a data-parallel group. Without
 * compression: an all-reduce (the named algorithm, or the fastest the
 * topology offers). With compression, one of these exchanges (`auto`: the
 * cheapest that applies, chosen per bucket); codec passes run at the
 * device's memory bandwidth, S being the bucket's 32-bit gradient bytes:
 *
 * - `allgather`: compressed messages are not summable on the way, so each
 *   worker's message goes to every other worker (an all-gather of N
 *   messages), after an encode and before decoding and summing the N − 1
 *   received messages.
 * - `sparcml` (sparse methods): SparCML's sparse all-reduce with
 *   densification (sparse.ts); encode, then every received byte is read and
 *   merged into a partial sum (2 passes), and the result is written dense (S).
 * - `gtopk` (sparse methods): gTop-k (sparse.ts) — the exchange keeps the
 *   top k of the reduced gradient, the rest staying in the workers'
 *   residuals; encode, each of the ⌈log₂⌉ merges reads both messages,
 *   selects and writes one (4 message passes), the result is written dense.
 * - `hier` (hierarchical topologies): dense inside the node, compressed
 *   across nodes — a dense reduce-scatter inside each node, then the node's
 *   sum, 1/k of the gradient per device, compressed and exchanged among the
 *   nodes (one group per local rank) by the cheapest of the exchanges
 *   above, then a dense all-gather inside the node.
 * - `recompress` (only on request: optimistic): a ring-style reduce-scatter
 *   and all-gather of compressed chunks, where every hop decodes the
 *   partial sum, adds its own gradient and compresses again — assuming a
 *   partial sum compresses as well as one worker's gradient (true for
 *   fixed-size codes, optimistic for sparse ones, whose supports grow as
 *   they are summed).
 */
export const EXCHANGE_MODES = ['auto', 'allgather', 'sparcml', 'gtopk', 'hier', 'recompress'] as const;
export type ExchangeMode = (typeof EXCHANGE_MODES)[number];
/** How a bucket's gradients travelled: `allreduce` without compression, else the exchange. */
export type ExchangeAlgorithm = 'allreduce' | Exclude<ExchangeMode, 'auto'>;

export interface ExchangeSpec {
  method: CompressionMethod;
  options: CompressionOptions;
  wire: WireAssumptions;
  algorithm: AllReduceAlgorithm | 'auto';
  exchange: ExchangeMode;
}

export interface ExchangeCost {
  seconds: number;
  networkSeconds: number;
  codecSeconds: number;
  /** Bytes each device sends. */
  bytesSent: number;
  algorithm: ExchangeAlgorithm;
}

export const NO_EXCHANGE: ExchangeCost = { seconds: 0, networkSeconds: 0, codecSeconds: 0, bytesSent: 0, algorithm: 'allreduce' };

/** The compressed exchanges a method can use on a group (`auto` chooses among them). */
export function exchangesFor(group: System, method: CompressionMethod): ExchangeAlgorithm[] {
  if (method === 'none') return ['allreduce'];
  return ['allgather', ...(isSparse(method) ? (['sparcml', 'gtopk'] as const) : []), ...(group.topology.kind === 'hier' ? (['hier'] as const) : [])];
}

/** Refuses an exchange mode that the method or topology cannot run, naming the flag. */
export function checkExchange(group: System, method: CompressionMethod, mode: ExchangeMode): void {
  if (method === 'none' || mode === 'auto' || mode === 'recompress' || exchangesFor(group, method).includes(mode)) return;
  const why = mode === 'hier' ? 'needs the hier topology' : `needs a sparse compression method (adacomp, topk, strom), not ${method}`;
  throw new AccelmapError('bad-flag', `--exchange ${mode} ${why}`, {}, `use --exchange auto or one of ${exchangesFor(group, method).join(', ')}`);
}

const cost = (algorithm: ExchangeAlgorithm, network: { seconds: number; bytesSentPerDevice: number }, codecBytes: number, memoryBytesPerSecond: number): ExchangeCost => {
  const codecSeconds = codecBytes / memoryBytesPerSecond;
  return { seconds: network.seconds + codecSeconds, networkSeconds: network.seconds, codecSeconds, bytesSent: network.bytesSentPerDevice, algorithm };
};

export function exchangeCost(group: System, layers: readonly LayerProfile[], spec: ExchangeSpec, memoryBytesPerSecond: number, gradientShare = 1): ExchangeCost {
  const d = group.devices;
  const bytes = layers.reduce((s, l) => s + l.gradientBytes, 0) * gradientShare;
  if (d <= 1 || bytes === 0) return NO_EXCHANGE;
  if (spec.method === 'none') {
    const c = spec.algorithm === 'auto' ? bestAllReduce(group, bytes) : allReduce(group, bytes, spec.algorithm);
    return cost('allreduce', c, 0, memoryBytesPerSecond);
  }
  const { method } = spec;
  const payload = layers.reduce((s, l) => s + expectedMessageBits(method, l.gradientElements * gradientShare, l.layerClass, spec.options, spec.wire), 0) / 8;
  const encode = ENCODE_PASSES[method] * bytes;
  const run = (algorithm: ExchangeAlgorithm): ExchangeCost => {
    switch (algorithm) {
      case 'allreduce':
        throw new Error('a compressed exchange is not a dense all-reduce');
      case 'allgather': {
        // each received message is read and summed into the gradient: all of it for dense codes, its elements for sparse ones
        const decode = isDense(method) ? (d - 1) * 2 * bytes : (d - 1) * 2 * payload + bytes;
        return cost('allgather', allGather(group, d * payload), encode + decode, memoryBytesPerSecond);
      }
      case 'sparcml': {
        const elements = bytes / 4;
        const nonZero = isSparse(method) ? layers.reduce((s, l) => s + expectedDensity(method, l.gradientElements * gradientShare, l.layerClass, spec.options, spec.wire) * l.gradientElements * gradientShare, 0) : elements;
        const c = sparseAllReduce(group, { elements, density: nonZero / elements, messageBytes: payload });
        return cost('sparcml', c, encode + 2 * c.bytesSentPerDevice + bytes, memoryBytesPerSecond);
      }
      case 'gtopk': {
        const c = gtopkAllReduce(group, payload);
        return cost('gtopk', c, encode + 4 * payload * (c.steps / 2) + bytes, memoryBytesPerSecond);
      }
      case 'hier':
        return hierarchical(group, layers, spec, memoryBytesPerSecond, gradientShare, bytes);
      case 'recompress': {
        const rs = reduceScatter(group, payload), ag = allGather(group, payload);
        // encode once; every reduce-scatter hop decodes and adds (2 passes) and re-encodes its chunk; decode the gathered result once
        const codec = (ENCODE_PASSES[method] + ((d - 1) / d) * (2 + ENCODE_PASSES[method]) + 1) * bytes;
        return cost('recompress', { seconds: rs.seconds + ag.seconds, bytesSentPerDevice: rs.bytesSentPerDevice + ag.bytesSentPerDevice }, codec, memoryBytesPerSecond);
      }
    }
  };
  if (spec.exchange !== 'auto') {
    checkExchange(group, method, spec.exchange);
    return run(spec.exchange);
  }
  return exchangesFor(group, method).map(run).reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

/** Dense reduce-scatter inside the node, the node's sum compressed across nodes, dense all-gather inside the node. */
function hierarchical(group: System, layers: readonly LayerProfile[], spec: ExchangeSpec, memoryBytesPerSecond: number, gradientShare: number, bytes: number): ExchangeCost {
  if (group.topology.kind !== 'hier') throw new Error('the hierarchical exchange needs a hierarchical group');
  const k = Math.min(group.topology.nodeDevices, group.devices);
  const inside = subgroup(group, k, 'inner');
  const across = subgroup(group, group.devices / k, 'outer');
  const rs = reduceScatter(inside, bytes), ag = allGather(inside, bytes);
  const between = exchangeCost(across, layers, { ...spec, exchange: 'auto' }, memoryBytesPerSecond, gradientShare / k);
  const networkSeconds = rs.seconds + between.networkSeconds + ag.seconds;
  return { seconds: networkSeconds + between.codecSeconds, networkSeconds, codecSeconds: between.codecSeconds, bytesSent: rs.bytesSentPerDevice + between.bytesSent + ag.bytesSentPerDevice, algorithm: 'hier' };
}

/** One line saying what the time model assumes about a compressed exchange. */
export function describeExchange(spec: ExchangeSpec): string {
  if (spec.method === 'none') return `no compression; ${spec.algorithm === 'auto' ? 'fastest all-reduce for the topology' : `${spec.algorithm} all-reduce`}`;
  const size =
    spec.wire.ratio !== undefined
      ? `messages assumed ${spec.wire.ratio}× smaller than 32-bit gradients`
      : spec.method === 'adacomp'
        ? `messages assumed ${spec.wire.adacompRatio.convolution}× smaller for convolutions and ${spec.wire.adacompRatio.other}× for other layers (published AdaComp figures)`
        : spec.method === 'strom'
          ? `${(spec.wire.stromDensity * 100).toFixed(2)}% of elements assumed to reach the threshold`
          : spec.method === 'topk'
            ? `${(spec.options.topkFraction * 100).toFixed(2)}% of elements sent as 32-bit values`
            : spec.method === 'onebit'
              ? 'one bit per element and two scales per tensor'
              : `${spec.options.qsgdLevels} levels, one norm per ${spec.options.qsgdBucket} elements`;
  return `${spec.method}: ${size}; ${EXCHANGE_WORDS[spec.exchange]}; encode/decode passes at device memory bandwidth`;
}

const EXCHANGE_WORDS: Record<ExchangeMode, string> = {
  auto: 'per bucket the cheapest exchange that applies (all-gather, SparCML sparse all-reduce, gTop-k, hierarchical)',
  allgather: 'every message all-gathered and decoded by every worker',
  sparcml: 'SparCML sparse all-reduce, densified once the summed supports make dense smaller',
  gtopk: 'gTop-k: the top k of the reduced gradient, merged up a tree and broadcast',
  hier: 'dense inside each node, compressed across nodes',
  recompress: 'ring reduce-scatter/all-gather re-compressing at every hop (optimistic)',
};
