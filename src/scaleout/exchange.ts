import { allGather, allReduce, bestAllReduce, reduceScatter, type AllReduceAlgorithm } from './collectives.js';
import type { CompressionMethod, CompressionOptions } from './compress/compressors.js';
import { ENCODE_PASSES, expectedMessageBits, isDense, type WireAssumptions } from './compress/wire.js';
import type { LayerProfile } from './profile.js';
import type { System } from './system.js';

/**
 * The cost of exchanging gradients among a data-parallel group. Without
 * compression: an all-reduce (the named algorithm, or the fastest the
 * topology offers). With compression: compressed messages are not summable
 * on the way, so each worker's message goes to every other worker (an
 * all-gather of N messages), after an encode on the device and before
 * decoding and summing the N − 1 received messages; the codec passes run at
 * the device's memory bandwidth.
 *
 * `recompress` is the optimistic alternative: a ring-style reduce-scatter
 * and all-gather of compressed chunks, where every hop decodes the partial
 * sum, adds its own gradient and compresses again — assuming a partial sum
 * compresses as well as one worker's gradient (true for fixed-size codes,
 * optimistic for sparse ones, whose supports grow as they are summed).
 */
export interface ExchangeSpec {
  method: CompressionMethod;
  options: CompressionOptions;
  wire: WireAssumptions;
  algorithm: AllReduceAlgorithm | 'auto';
  /** How compressed messages travel: to everyone (all-gather) or re-compressed hop by hop. */
  exchange: 'allgather' | 'recompress';
}

export const EXCHANGE_MODES = ['allgather', 'recompress'] as const;

export interface ExchangeCost {
  seconds: number;
  networkSeconds: number;
  codecSeconds: number;
  /** Bytes each device sends. */
  bytesSent: number;
}

export const NO_EXCHANGE: ExchangeCost = { seconds: 0, networkSeconds: 0, codecSeconds: 0, bytesSent: 0 };

export function exchangeCost(group: System, layers: readonly LayerProfile[], spec: ExchangeSpec, memoryBytesPerSecond: number, gradientShare = 1): ExchangeCost {
  const d = group.devices;
  const bytes = layers.reduce((s, l) => s + l.gradientBytes, 0) * gradientShare;
  if (d <= 1 || bytes === 0) return NO_EXCHANGE;
  if (spec.method === 'none') {
    const c = spec.algorithm === 'auto' ? bestAllReduce(group, bytes) : allReduce(group, bytes, spec.algorithm);
    return { seconds: c.seconds, networkSeconds: c.seconds, codecSeconds: 0, bytesSent: c.bytesSentPerDevice };
  }
  const payload = layers.reduce((s, l) => s + expectedMessageBits(spec.method, l.gradientElements * gradientShare, l.layerClass, spec.options, spec.wire), 0) / 8;
  const encodePasses = ENCODE_PASSES[spec.method];
  if (spec.exchange === 'recompress') {
    const rs = reduceScatter(group, payload);
    const ag = allGather(group, payload);
    // encode once; every reduce-scatter hop decodes and adds (2 passes) and re-encodes its chunk; decode the gathered result once
    const codec = ((encodePasses + ((d - 1) / d) * (2 + encodePasses) + 1) * bytes) / memoryBytesPerSecond;
    return { seconds: rs.seconds + ag.seconds + codec, networkSeconds: rs.seconds + ag.seconds, codecSeconds: codec, bytesSent: rs.bytesSentPerDevice + ag.bytesSentPerDevice };
  }
  const net = allGather(group, d * payload);
  const encode = (encodePasses * bytes) / memoryBytesPerSecond;
  // each received message is read and summed into the gradient: all of it for dense codes, its elements for sparse ones
  const decode = isDense(spec.method) ? ((d - 1) * 2 * bytes) / memoryBytesPerSecond : ((d - 1) * 2 * payload + bytes) / memoryBytesPerSecond;
  return { seconds: encode + net.seconds + decode, networkSeconds: net.seconds, codecSeconds: encode + decode, bytesSent: net.bytesSentPerDevice };
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
  const how = spec.exchange === 'allgather' ? 'every message all-gathered and decoded by every worker' : 'ring reduce-scatter/all-gather re-compressing at every hop (optimistic)';
  return `${spec.method}: ${size}; ${how}; encode/decode passes at device memory bandwidth`;
}
