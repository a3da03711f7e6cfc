import type { Architecture } from '../arch/types.js';
import type { Problem } from '../problem/types.js';
import { paddedBound, type MappingArrays } from './mapping.js';

/**
 * A slow, literal reference for the analytical model's access counts: it
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

export function referenceCounts(problem: Problem, arch: Architecture, m: MappingArrays): ReferenceCounts {
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
  const extentOf = (s: number, dims: number[]): number[] => ranks[s]!.map((terms) => 1 + terms.reduce((a, t) => a + t.coef * (dims[t.dim]! - 1), 0));
  const tileDims = (level: number): number[] => {
    const t = new Array<number>(D).fill(1);
    for (const lp of loops) if (lp.level >= level) t[lp.dim]! *= lp.n;
    return t;
  };

  const grid = () => Array.from({ length: L }, () => new Array<number>(DS).fill(0));
  const out: ReferenceCounts = { tileSize: grid(), distinct: grid(), reads: grid(), fills: grid(), updates: grid(), nonUniform: [] };

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
      for (const t of odometer(temporal.map((lp) => lp.n))) {
        const groups = new Map<string, number>();
        instances.forEach((inst, ii) => {
          const pos = new Array<number>(D).fill(0);
          temporal.forEach((lp, i) => (pos[lp.dim]! += t[i]! * lp.stride));
          spatial.forEach((lp, i) => (pos[lp.dim]! += inst[i]! * lp.stride));
          const low = project(s, pos);
          // The MACs use every operand at every iteration: no reuse below the innermost keeper.
          const delta: Box | null = child === L ? { low, ext } : trackers[ii]!.step(low);
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
