import { add, allGather, topologyDimensions, ZERO, type CollectiveCost } from './collectives.js';
import type { System } from './system.js';

/**
 * α–β costs of exchanging sparse gradients with sparse collectives, on the
 * same topologies and dimension-wise structure as the dense ones
 * (collectives.ts).
 *
 * A worker's sparse gradient has `elements` elements of which a fraction
 * `density` is sent, in a message of `messageBytes` (its own encoding).
 * Partial sums are index–value pairs, 4 + 4 bytes per non-zero, and the
 * supports of different workers are taken as independent: the sum of c
 * workers' gradients has 1 − (1 − ρ)^c of the elements non-zero. Once that
 * is no smaller than the dense 4 bytes per element, the sum travels dense
 * (densification).
 */
export interface SparseGradient {
  elements: number;
  density: number;
  messageBytes: number;
}

const DENSE_BYTES = 4;
const PAIR_BYTES = 8;

/** Bytes of the sum of `contributors` workers' sparse gradients over `elements` elements: sparse pairs, or dense once that is smaller. */
export function partialSumBytes(elements: number, contributors: number, density: number): number {
  const nonZero = elements * (1 - (1 - density) ** contributors);
  return Math.min(DENSE_BYTES * elements, PAIR_BYTES * nonZero);
}

/**
 * SparCML-style sparse all-reduce (Renggli et al., SC'19: split all-gather
 * with densification): a reduce-scatter along the topology's dimensions
 * whose chunks carry partial sums, then an all-gather of the reduced result.
 * Along dimension i (size dᵢ, D the product of the dimensions before it),
 * ring step j (1 … dᵢ − 1) sends one chunk of 1/(D·dᵢ) of the elements
 * summing j·D workers' gradients; the very first chunk is 1/d₁ of one
 * worker's message. The all-gather moves the full reduced sum, N workers'.
 */
export function sparseAllReduce(system: System, g: SparseGradient): CollectiveCost {
  if (system.devices <= 1) return ZERO;
  const { dims, links } = topologyDimensions(system);
  let cost = ZERO;
  let before = 1;
  dims.forEach((d, i) => {
    const link = links[i]!;
    const chunk = g.elements / (before * d);
    for (let j = 1; j < d; j++) {
      const bytes = before === 1 && j === 1 ? g.messageBytes / d : partialSumBytes(chunk, j * before, g.density);
      cost = add(cost, { seconds: link.latencySeconds + bytes / link.bandwidthBytesPerSecond, bytesSentPerDevice: bytes, steps: 1 });
    }
    before *= d;
  });
  return add(cost, allGather(system, partialSumBytes(g.elements, system.devices, g.density)));
}

/**
 * gTop-k (Shi et al., ICDCS'19): a binomial-tree reduction in which every
 * merge of two messages keeps the top k of their sum — a message of one
 * worker's size — then a broadcast of the global top k back down the tree:
 * along each dimension of size d, ⌈log₂d⌉ rounds up and as many down. In
 * round r the partners are 2^r apart: on a ring dimension min(2^r, d − 2^r)
 * links (cut-through: each link's latency, the message's bytes once, no link
 * carries two messages), on a switch one port.
 */
export function gtopkAllReduce(system: System, messageBytes: number): CollectiveCost {
  if (system.devices <= 1) return ZERO;
  const { dims, links, rings } = topologyDimensions(system);
  let seconds = 0, rounds = 0;
  dims.forEach((d, i) => {
    const link = links[i]!;
    for (let r = 0; 2 ** r < d; r++) {
      const hops = rings ? Math.min(2 ** r, d - 2 ** r) : 1;
      seconds += 2 * (hops * link.latencySeconds + messageBytes / link.bandwidthBytesPerSecond);
      rounds++;
    }
  });
  // the root sends the message once per broadcast round
  return { seconds, bytesSentPerDevice: rounds * messageBytes, steps: 2 * rounds };
}
