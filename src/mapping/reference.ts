import { findPrecision, type Architecture, type PrecisionMode } from '../arch/types.js';
import type { Problem } from '../problem/types.js';
import { paddedBound, type MappingArrays } from './mapping.js';
import { INVALID, type InvalidCode } from './model.js';
import { rankExtent, tileWords } from './tile.js';

/**
 * A slow, literal reference for the analytical model's access counts (and,
 * from them, cycles, energy and network words: referenceCost) and for its
 * validity rules (referenceViolations): it
 * walks the loop nest of a mapping step by step for every instance, keeps the
 * tile each instance holds, applies the delta rule between consecutive tiles
 * (equal → nothing; one tensor rank slid with overlap, in the same direction
 * as the previous slide or after a reset → the slab; otherwise the whole
 * tile), groups the deltas that a parent serves to its children at the same
 * step (equal deltas are one multicast read or one reduced update), and
 * counts the distinct elements each instance ever holds. Only for small
 * shapes: its cost is the number of loop iterations times the instances.
 */
export interface ReferenceCounts {
  /** [level][dataSpace], per instance. */
  tileSize: number[][];
  /** Distinct elements an instance ever holds (read-write data spaces). */
  distinct: number[][];
  reads: number[][];
  fills: number[][];
  updates: number[][];
  /** Words crossing the fan-out below level l, all instances: what each parent instance serves (and, for read-write data, reads back down) to its children. */
  networkWords: number[][];
  /** Instances of each level the spatial loops use; [L]: MAC units. */
  instances: number[];
  /** Iterations of the temporal loops (one MAC unit's MACs, padding included) and of the whole nest (every MAC unit's). */
  temporalIterations: number;
  paddedMacs: number;
  /** Instances whose counts differ from the first instance's (expected to be none). */
  nonUniform: string[];
}

interface Loop {
  level: number;
  dim: number;
  n: number;
  stride: number;
  spatial: boolean;
  /** For spatial loops: whether the fan-out multicasts (read-only) / reduces (read-write). */
  merges: [boolean, boolean];
}

interface Box {
  low: number[];
  ext: number[];
}

function size(b: Box): number {
  let s = 1;
  for (const e of b.ext) s *= e;
  return s;
}

function key(b: Box): string {
  return `${b.low.join(',')}/${b.ext.join(',')}`;
}

/** Timeloop's delta rule with its sliding-direction state; returns the delta box (null when empty). */
class DeltaTracker {
  private prev: number[] | null = null;
  private slide: { rank: number; sign: number } | null = null;

  constructor(private readonly ext: number[]) {}

  step(low: number[]): Box | null {
    const ext = this.ext;
    const prev = this.prev;
    this.prev = low;
    if (prev === null) {
      this.slide = null;
      return { low, ext };
    }
    const moved: number[] = [];
    let overlap = true;
    for (let r = 0; r < low.length; r++) {
      const shift = low[r]! - prev[r]!;
      if (shift !== 0) moved.push(r);
      if (Math.abs(shift) >= ext[r]!) overlap = false;
    }
    if (moved.length === 0) {
      this.slide = null;
      return null;
    }
    if (!overlap || moved.length > 1) {
      this.slide = null;
      return { low, ext };
    }
    const r = moved[0]!;
    const shift = low[r]! - prev[r]!;
    const sign = Math.sign(shift);
    if (this.slide !== null && (this.slide.rank !== r || this.slide.sign !== sign)) {
      this.slide = null;
      return { low, ext };
    }
    this.slide = { rank: r, sign };
    const dlow = [...low];
    const dext = [...ext];
    dext[r] = Math.abs(shift);
    if (shift > 0) dlow[r] = prev[r]! + ext[r]!;
    return { low: dlow, ext: dext };
  }
}

/** Visits every index vector of the given bounds in odometer order (last fastest). */
function* odometer(bounds: number[]): Generator<number[]> {
  const idx = bounds.map(() => 0);
  if (bounds.some((b) => b <= 0)) return;
  for (;;) {
    yield idx;
    let k = bounds.length - 1;
    while (k >= 0) {
      idx[k]!++;
      if (idx[k]! < bounds[k]!) break;
      idx[k] = 0;
      k--;
    }
    if (k < 0) return;
  }
}

/**
 * `lanes`: MACs per cycle of a MAC unit whose lanes run a group of
 * consecutive iterations together (under a named precision): its innermost
 * loops at the innermost storage level, whole while they fit, then the largest
 * divisor of the next loop's iterations that fits. Each group reads the box
 * its iterations' words span once (found here from the positions walked).
 */
export function referenceCounts(problem: Problem, arch: Architecture, m: MappingArrays, lanes = 1): ReferenceCounts {
  const L = m.levels, D = m.dims, DS = m.dataSpaces;
  const fanBelow = (l: number) => (l + 1 < L ? arch.levels[l + 1]!.fanOut : arch.compute.fanOut);

  // The whole nest, outermost first, with strides in problem coordinates.
  const loops: Loop[] = [];
  for (let l = 0; l < L; l++) {
    for (let k = 0; k < D; k++) {
      const d = m.order[l * D + k]!;
      loops.push({ level: l, dim: d, n: m.temporal[l * D + d]!, stride: 0, spatial: false, merges: [false, false] });
    }
    const fo = fanBelow(l);
    for (const arr of [m.spatialX, m.spatialY]) {
      for (let d = 0; d < D; d++) loops.push({ level: l, dim: d, n: arr[l * D + d]!, stride: 0, spatial: true, merges: [fo.multicast, fo.reduction] });
    }
  }
  const inner = new Array<number>(D).fill(1);
  for (let i = loops.length - 1; i >= 0; i--) {
    const lp = loops[i]!;
    lp.stride = inner[lp.dim]!;
    inner[lp.dim]! *= lp.n;
  }
  const padded = Array.from({ length: D }, (_, d) => paddedBound(m, d));

  const ranks = problem.dataSpaces.map((s) => s.projection);
  const project = (s: number, pos: number[]): number[] => ranks[s]!.map((terms) => terms.reduce((a, t) => a + t.coef * pos[t.dim]!, 0));
  const extentOf = (s: number, dims: number[]): number[] => ranks[s]!.map((terms) => rankExtent(terms, dims));
  const tileDims = (level: number): number[] => {
    const t = new Array<number>(D).fill(1);
    for (const lp of loops) if (lp.level >= level) t[lp.dim]! *= lp.n;
    return t;
  };

  let group = 1;
  for (const lp of loops.filter((x) => x.level === L - 1 && !x.spatial).reverse()) {
    let take = lp.n;
    if (group * take > lanes) for (take = Math.floor(lanes / group); take > 1 && lp.n % take !== 0; ) take--;
    group *= take;
    if (take < lp.n) break;
  }
  const grid = () => Array.from({ length: L }, () => new Array<number>(DS).fill(0));
  const instances = Array.from({ length: L + 1 }, (_, l) => loops.filter((lp) => lp.spatial && lp.level < l).reduce((n, lp) => n * lp.n, 1));
  const temporalIterations = loops.filter((lp) => !lp.spatial).reduce((n, lp) => n * lp.n, 1);
  const out: ReferenceCounts = { tileSize: grid(), distinct: grid(), reads: grid(), fills: grid(), updates: grid(), networkWords: grid(), instances, temporalIterations, paddedMacs: 0, nonUniform: [] };

  for (let s = 0; s < DS; s++) {
    const rw = problem.dataSpaces[s]!.readWrite;
    for (let l = 0; l < L; l++) out.tileSize[l]![s] = size({ low: [], ext: extentOf(s, tileDims(l)) });
    const keepers = [0];
    for (let l = 1; l < L; l++) if (m.keep[l * DS + s]) keepers.push(l);
    keepers.push(L);

    for (let ki = 0; ki + 1 < keepers.length; ki++) {
      const parent = keepers[ki]!, child = keepers[ki + 1]!;
      const above = loops.filter((lp) => lp.level < child);
      const temporal = above.filter((lp) => !lp.spatial);
      const spatial = above.filter((lp) => lp.spatial);
      const childDims = tileDims(child);
      const ext = child === L ? new Array<number>(ranks[s]!.length).fill(1) : extentOf(s, childDims);
      // Instances of the child: one per spatial index vector above it.
      const spatialBounds = spatial.map((lp) => lp.n);
      const instances: number[][] = [];
      for (const x of odometer(spatialBounds)) instances.push([...x]);
      const trackers = instances.map(() => new DeltaTracker(ext));
      const childFills = instances.map(() => 0);
      const seen = instances.map(() => new Set<string>());
      const parentAccesses = new Map<string, number>();
      const parentOf = (inst: number[]) => inst.filter((_, i) => spatial[i]!.level < parent).join(',');
      // Per instance, the lowest and highest position of each rank in the current lane group.
      const spans = instances.map(() => ({ lo: [] as number[], hi: [] as number[] }));
      let step = 0;
      for (const t of odometer(temporal.map((lp) => lp.n))) {
        if (child === L && s === 0) out.paddedMacs += instances.length;
        const groups = new Map<string, number>();
        const groupEnds = step++ % group === group - 1;
        instances.forEach((inst, ii) => {
          const pos = new Array<number>(D).fill(0);
          temporal.forEach((lp, i) => (pos[lp.dim]! += t[i]! * lp.stride));
          spatial.forEach((lp, i) => (pos[lp.dim]! += inst[i]! * lp.stride));
          const low = project(s, pos);
          // The MACs read the box each lane group spans (one iteration's word per lane group of one): no reuse across groups.
          let delta: Box | null;
          if (child === L) {
            const span = spans[ii]!;
            low.forEach((x, r) => {
              span.lo[r] = Math.min(span.lo[r] ?? x, x);
              span.hi[r] = Math.max(span.hi[r] ?? x, x);
            });
            if (!groupEnds) return;
            delta = { low: span.lo, ext: span.hi.map((x, r) => x - span.lo[r]! + 1) };
            spans[ii] = { lo: [], hi: [] };
          } else {
            delta = trackers[ii]!.step(low);
          }
          if (rw && child < L) {
            for (const p of odometer(ext)) seen[ii]!.add(low.map((x, r) => x + p[r]!).join(','));
          }
          if (!delta) return;
          const sz = size(delta);
          childFills[ii]! += sz;
          // Children of one parent instance share a delta unless a fan-out between them cannot merge it.
          const separate = inst.filter((_, i) => spatial[i]!.level >= parent && !spatial[i]!.merges[rw ? 1 : 0]).join(',');
          groups.set(`${parentOf(inst)}|${separate}|${key(delta)}`, sz);
        });
        for (const [g, sz] of groups) {
          const p = g.split('|')[0]!;
          parentAccesses.set(p, (parentAccesses.get(p) ?? 0) + sz);
        }
      }
      const uniform = (xs: number[], what: string) => {
        if (xs.some((x) => x !== xs[0])) out.nonUniform.push(`${what} of data space ${s} at level ${child}: ${[...new Set(xs)].join(' ')}`);
        return xs[0] ?? 0;
      };
      const fills = uniform(childFills, 'fills');
      const accesses = uniform([...parentAccesses.values()], 'parent accesses');
      if (rw && child < L) out.distinct[child]![s] = uniform(seen.map((x) => x.size), 'distinct elements');
      if (rw && parent === 0) out.distinct[0]![s] = size({ low: [], ext: extentOf(s, padded) });
      // Every word a parent instance serves crosses each fan-out down to the child; read-write data also comes back up.
      const served = [...parentAccesses.values()].reduce((a, x) => a + x, 0);
      const words = rw ? 2 * served - parentAccesses.size * out.distinct[parent]![s]! : served;
      for (let l = parent; l < child; l++) out.networkWords[l]![s]! += words;
      if (rw) {
        out.updates[parent]![s] = accesses;
        out.reads[parent]![s] = accesses - out.distinct[parent]![s]!;
        if (child < L) out.fills[child]![s] = fills - out.distinct[child]![s]!;
      } else {
        out.reads[parent]![s] = accesses;
        if (child < L) out.fills[child]![s] = fills;
      }
    }
  }
  return out;
}

export interface ReferenceCost {
  computeCycles: number;
  /** Per level: the cycles its reads, writes and all accesses need at its bandwidths (at least the compute cycles). */
  levelCycles: number[];
  cycles: number;
  /** [level][dataSpace], all instances. */
  energyPj: number[][];
  /** Per fan-out (below level l). */
  networkEnergyPj: number[];
  macEnergyPj: number;
  leakEnergyPj: number;
  totalEnergyPj: number;
}

/**
 * The bits one word of data space s occupies at level l: the level's word bits
 * when no precision is named; under a named mode, its operand bits for inputs
 * and weights and its accumulator bits for outputs (partial sums).
 */
function wordBitsOf(arch: Architecture, l: number, readWrite: boolean, precision: PrecisionMode | undefined): number {
  return precision === undefined ? arch.levels[l]!.wordBits : readWrite ? precision.accumulatorBits : precision.operandBits;
}

/** A named precision mode and which data spaces are read-write (outputs). */
export interface ReferencePrecision {
  name: string;
  readWrite: boolean[];
}

/**
 * Cycles and energy from the walked counts, by the definitions (Timeloop's):
 * compute cycles = temporal iterations ÷ MACs per cycle; a level needs its
 * per-instance reads ÷ read bandwidth, fills and updates ÷ write bandwidth,
 * all ÷ shared bandwidth; the slowest sets the cycles. Energy: every
 * instance's ceil(accesses ÷ block) × energy per block action, each network
 * word × the fan-out's energy per word, every MAC (padding included) × the
 * energy per MAC, and every instance's leakage per cycle. Under a named
 * precision every count is of bits moved: a block carries block size × the
 * level's word bits, a bandwidth moves that many bits per word, a network word
 * costs its share of the child's word bits; at the backing store, updates that
 * are read back (partial sums: as many as the reads) carry accumulator bits
 * and the rest, the final outputs, operand bits.
 */
export function referenceCost(arch: Architecture, c: ReferenceCounts, named?: ReferencePrecision): ReferenceCost {
  const precision = named === undefined ? arch.compute.precisions[0]! : findPrecision(arch, named.name);
  const mode = named === undefined ? undefined : precision;
  const L = arch.levels.length;
  const fanBelow = (l: number) => (l + 1 < L ? arch.levels[l + 1]!.fanOut : arch.compute.fanOut);
  const computeCycles = Math.ceil(c.temporalIterations / precision.macsPerCycle);
  let cycles = computeCycles;
  const levelCycles: number[] = [], networkEnergyPj: number[] = [];
  const energyPj = arch.levels.map((level, l) => {
    const levelWordBits = level.wordBits;
    let readBits = 0, writeBits = 0, networkPj = 0;
    const row = c.reads[l]!.map((_, s) => {
      const rw = named?.readWrite[s] ?? false;
      const bits = wordBitsOf(arch, l, rw, mode);
      const reads = c.reads[l]![s]! * bits, fills = c.fills[l]![s]! * bits;
      const updates = l === 0 && rw && mode !== undefined ? c.reads[l]![s]! * bits + (c.updates[l]![s]! - c.reads[l]![s]!) * mode.operandBits : c.updates[l]![s]! * bits;
      readBits += reads;
      writeBits += fills + updates;
      const child = l + 1 < L ? l + 1 : l;
      networkPj += ((c.networkWords[l]![s]! * wordBitsOf(arch, child, rw, mode)) / arch.levels[child]!.wordBits) * fanBelow(l).energyPerWordPj;
      const blockBits = level.blockSize * levelWordBits;
      let perInstance = 0;
      for (const [count, pj] of [[reads, level.energy.readPj], [fills, level.energy.fillPj], [updates, level.energy.updatePj]] as const) perInstance += Math.ceil(count / blockBits) * pj;
      let all = 0;
      for (let i = 0; i < c.instances[l]!; i++) all += perInstance;
      return all;
    });
    const need = Math.max(computeCycles, Math.ceil(readBits / (level.readBandwidth * levelWordBits)), Math.ceil(writeBits / (level.writeBandwidth * levelWordBits)), Math.ceil((readBits + writeBits) / (level.sharedBandwidth * levelWordBits)));
    levelCycles.push(need);
    cycles = Math.max(cycles, need);
    networkEnergyPj.push(networkPj);
    return row;
  });
  const macEnergyPj = c.paddedMacs * precision.energyPerMacPj;
  const leakEnergyPj = arch.levels.reduce((a, level) => a + level.energy.leakPjPerCycle * level.instances, 0) * cycles;
  const totalEnergyPj = energyPj.flat().reduce((a, x) => a + x, 0) + networkEnergyPj.reduce((a, x) => a + x, 0) + macEnergyPj + leakEnergyPj;
  return { computeCycles, levelCycles, cycles, energyPj, networkEnergyPj, macEnergyPj, leakEnergyPj, totalEnergyPj };
}

/** A rule a mapping breaks, in the cost model's terms: which rule (INVALID), where (a level, or a dim for factors) and the offending value. */
export interface Violation {
  code: InvalidCode;
  where: number;
  value: number;
}

/**
 * Every rule the mapping breaks, checked one by one: each level's loop order
 * lists every dim once; the spatial factors along X and Y fit the fan-out
 * below the level; the outermost level keeps everything and no level keeps
 * what its spec excludes; every dim's factors reach its bound; the kept tiles
 * (every data space at the outermost level) fit each level's capacity over
 * its multiple buffering.
 */
export function referenceViolations(problem: Problem, arch: Architecture, m: MappingArrays, precisionName?: string): Violation[] {
  const mode = precisionName === undefined ? undefined : findPrecision(arch, precisionName);
  const L = m.levels, D = m.dims, DS = m.dataSpaces;
  const fanBelow = (l: number) => (l + 1 < L ? arch.levels[l + 1]!.fanOut : arch.compute.fanOut);
  const found: Violation[] = [];
  for (let l = 0; l < L; l++) {
    const listed = [...m.order.slice(l * D, (l + 1) * D)].sort((a, b) => a - b);
    if (listed.some((d, k) => d !== k)) found.push({ code: INVALID.order, where: l, value: NaN });
    let sx = 1, sy = 1;
    for (let d = 0; d < D; d++) {
      sx *= m.spatialX[l * D + d]!;
      sy *= m.spatialY[l * D + d]!;
    }
    if (sx > fanBelow(l).meshX) found.push({ code: INVALID.fanOut, where: l, value: sx });
    if (sy > fanBelow(l).meshY) found.push({ code: INVALID.fanOut, where: l, value: sy });
    const spec = arch.levels[l]!.dataSpaces;
    problem.dataSpaces.forEach((ds, s) => {
      const keep = m.keep[l * DS + s] === 1;
      if ((l === 0 && !keep) || (keep && spec !== null && !spec.includes(ds.name))) found.push({ code: INVALID.keep, where: l, value: s });
    });
  }
  for (let d = 0; d < D; d++) {
    const covered = paddedBound(m, d);
    if (covered < problem.bounds[d]!) found.push({ code: INVALID.factors, where: d, value: covered });
  }
  for (let l = 0; l < L; l++) {
    const dimTiles = Array.from({ length: D }, (_, d) => {
      let t = 1;
      for (let k = l; k < L; k++) t *= m.temporal[k * D + d]! * m.spatialX[k * D + d]! * m.spatialY[k * D + d]!;
      return t;
    });
    let keptBits = 0;
    problem.dataSpaces.forEach((ds, s) => {
      if (l === 0 || m.keep[l * DS + s]) keptBits += tileWords(ds.projection, dimTiles) * wordBitsOf(arch, l, ds.readWrite, mode);
    });
    const level = arch.levels[l]!;
    const kept = keptBits / level.wordBits;
    if (kept > level.capacityWords / level.multipleBuffering) found.push({ code: INVALID.capacity, where: l, value: kept });
  }
  return found;
}
