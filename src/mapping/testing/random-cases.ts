import { archFromSpec } from '../../arch/load.js';
import type { Architecture } from '../../arch/types.js';
import { convGradInputProblem, convGradWeightProblem, convProblem, matmulProblem } from '../../problem/builders.js';
import type { Problem } from '../../problem/types.js';
import { Rng } from '../../util/rng.js';
import { mappingFor, type MappingArrays } from '../mapping.js';

/**
 * Random small problems, architectures and mappings for property tests of the
 * cost model against the brute-force reference.
 */
export interface RandomCase {
  problem: Problem;
  arch: Architecture;
  mapping: MappingArrays;
}

const between = (rng: Rng, lo: number, hi: number) => lo + rng.int(hi - lo + 1);

export function randomProblem(rng: Rng, kinds: string[] = ['conv', 'matmul', 'conv-grad-weight', 'conv-grad-input']): Problem {
  const kind = rng.pick(kinds);
  if (kind === 'matmul') {
    const B = rng.next() < 0.3 ? 2 : 1;
    return matmulProblem({ B, M: between(rng, 1, 4), N: between(rng, 1, 4), K: between(rng, 1, 4), weightsBatched: rng.next() < 0.5 });
  }
  const shape = {
    N: between(rng, 1, 2), K: between(rng, 1, 3), C: between(rng, 1, 3),
    P: between(rng, 1, 4), Q: between(rng, 1, 3), R: between(rng, 1, 3), S: between(rng, 1, 2),
    G: rng.next() < 0.2 ? 2 : 1,
    strideH: between(rng, 1, 2), strideW: between(rng, 1, 2), dilationH: between(rng, 1, 2), dilationW: 1,
  };
  if (kind === 'conv-grad-weight') return convGradWeightProblem(shape);
  if (kind === 'conv-grad-input') return convGradInputProblem(shape);
  return convProblem(shape);
}

/** 2–4 levels with random fan-outs, multicast and reduction flags; capacities large enough for any tile. */
export function randomArch(rng: Rng): Architecture {
  const n = between(rng, 2, 4);
  const fan = () => ({ x: between(rng, 1, 3), y: between(rng, 1, 2), multicast: rng.next() < 0.7, reduction: rng.next() < 0.7, energyPerWord: rng.next() });
  const levels = Array.from({ length: n }, (_, i) => ({
    name: `L${i}`,
    class: i === 0 ? 'dram' : 'sram',
    ...(i === 0 ? {} : { words: 1 << 30, fanOut: fan() }),
    blockSize: between(rng, 1, 4),
    energy: { read: 1 + rng.int(10), fill: 1 + rng.int(10), update: 1 + rng.int(10) },
    readBandwidth: 1 + rng.int(8),
    writeBandwidth: 1 + rng.int(8),
  }));
  return archFromSpec({
    name: 'random',
    technology: 45,
    clock: 1e9,
    levels,
    compute: { fanOut: fan(), precisions: [{ name: 'int16', operandBits: 16, energyPerMac: 1 }] },
  });
}

/** Splits every dim's bound over the levels' temporal and spatial slots (sometimes padded), random orders and keeps. */
export function randomMapping(rng: Rng, problem: Problem, arch: Architecture, padChance = 0.2): MappingArrays {
  const m = mappingFor(problem, arch);
  const L = m.levels, D = m.dims;
  const fanBelow = (l: number) => (l + 1 < L ? arch.levels[l + 1]!.fanOut : arch.compute.fanOut);
  const roomX = Array.from({ length: L }, (_, l) => fanBelow(l).meshX);
  const roomY = Array.from({ length: L }, (_, l) => fanBelow(l).meshY);
  for (let d = 0; d < D; d++) {
    let left = problem.bounds[d]!;
    if (rng.next() < padChance) left += between(rng, 1, 2);
    // Peel off random divisors (or ceil-splits when padding) into random slots.
    for (let tries = 0; tries < 6 && left > 1; tries++) {
      const l = rng.int(L);
      const slot = rng.int(3);
      const cap = slot === 1 ? roomX[l]! : slot === 2 ? roomY[l]! : left;
      const f = between(rng, 1, Math.min(cap, left));
      if (f <= 1) continue;
      const rest = Math.ceil(left / f);
      const arr = slot === 0 ? m.temporal : slot === 1 ? m.spatialX : m.spatialY;
      arr[l * D + d]! *= f;
      if (slot === 1) roomX[l] = Math.floor(roomX[l]! / f);
      if (slot === 2) roomY[l] = Math.floor(roomY[l]! / f);
      left = rest;
    }
    if (left > 1) m.temporal[rng.int(L) * D + d]! *= left;
  }
  for (let l = 0; l < L; l++) {
    const order = rng.shuffle(Array.from({ length: D }, (_, i) => i));
    order.forEach((d, k) => (m.order[l * D + k] = d));
    const allowed = arch.levels[l]!.dataSpaces;
    for (let s = 0; s < m.dataSpaces; s++) {
      const ok = allowed === null || allowed.includes(problem.dataSpaces[s]!.name);
      m.keep[l * m.dataSpaces + s] = l === 0 || (ok && rng.next() < 0.6) ? 1 : 0;
    }
  }
  return m;
}

export function randomCase(seed: number, kinds?: string[]): RandomCase {
  const rng = new Rng(seed);
  const problem = randomProblem(rng, kinds);
  const arch = randomArch(rng);
  return { problem, arch, mapping: randomMapping(rng, problem, arch) };
}
