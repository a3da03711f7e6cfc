import type { Tiles } from './sram.js';
import type { AccessSpan, OperandTriple } from './types.js';

/**
 * DRAM traffic and stalls of the three double-buffered SRAMs, from the tiles
 * the array's access streams were cut into (sram.ts). Each SRAM has its own
 * DRAM interface moving `bandwidth` words per cycle, one transfer at a time.
 *
 * - ifmap, filter: the first tile is loaded before cycle 0 (prefetch). Tile
 *   j ≥ 1 is fetched into the idle half once that half is free (tile j − 1
 *   has started, so tile j − 2 is done; tile 1 goes to the half that is
 *   empty from the start) and the interface is free.
 * - ofmap: before tile j ≥ 1 can start, its half must be written back (tile
 *   j − 2) and the partial sums of tile j that left the SRAM earlier must come
 *   back; both happen once tile j − 1 has started. The last two tiles are
 *   written back after the last compute cycle (drain).
 * - When a tile's first access comes before its half is ready, the whole
 *   array waits (stall cycles), which delays everything after it.
 */
export interface DramSchedule {
  stallCycles: number;
  prefetchCycles: number;
  drainCycles: number;
  ifmapReads: AccessSpan;
  filterReads: AccessSpan;
  ofmapWrites: AccessSpan;
  ofmapReads: number;
  /** Stall-free cycles at which the array waited, with the stall cycles inserted up to and including each. */
  stallsAt: { cycle: number[]; cumulative: number[] };
}

type Operand = keyof OperandTriple<unknown>;

interface SpanRecorder {
  first: number;
  last: number;
  words: number;
}

export function scheduleDram(tiles: OperandTriple<Tiles>, bandwidth: OperandTriple<number>, computeCycles: number): DramSchedule {
  const spans = { ifmap: recorder(), filter: recorder(), ofmapWrites: recorder(), ofmapReads: recorder() };
  const freeAt: OperandTriple<number> = { ifmap: 0, filter: 0, ofmap: 0 };
  /** Actual start cycle of each tile j >= 1 (tile 0 starts with no wait). */
  const startedAt: OperandTriple<number[]> = { ifmap: [], filter: [], ofmap: [] };
  let prefetchCycles = 0;
  for (const op of ['ifmap', 'filter'] as const) {
    const t = tiles[op];
    if (t.start.length === 0) continue;
    const cycles = Math.ceil(t.words[0]! / bandwidth[op]);
    transfer(spans[op], -cycles, t.words[0]!, bandwidth[op]);
    prefetchCycles = Math.max(prefetchCycles, cycles);
  }

  const events: { op: Operand; tile: number; cycle: number }[] = [];
  for (const op of ['ifmap', 'filter', 'ofmap'] as const) {
    tiles[op].start.forEach((cycle, tile) => {
      if (tile > 0) events.push({ op, tile, cycle });
    });
  }
  events.sort((a, b) => a.cycle - b.cycle);

  let delay = 0;
  const stallsAt = { cycle: [] as number[], cumulative: [] as number[] };
  for (const { op, tile, cycle } of events) {
    const t = tiles[op];
    const B = bandwidth[op];
    const jobStart = tile === 1 ? freeAt[op] : Math.max(startedAt[op][tile - 1]!, freeAt[op]);
    let ready: number;
    if (op === 'ofmap') {
      ready = transfer(spans.ofmapWrites, jobStart, tile >= 2 ? t.words[tile - 2]! : 0, B);
      ready = transfer(spans.ofmapReads, ready, t.refetch[tile]!, B);
    } else {
      ready = transfer(spans[op], jobStart, t.words[tile]!, B);
    }
    freeAt[op] = ready;
    let at = cycle + delay;
    if (ready > at) {
      delay += ready - at;
      at = ready;
      stallsAt.cycle.push(cycle);
      stallsAt.cumulative.push(delay);
    }
    startedAt[op][tile] = at;
  }

  const totalCycles = computeCycles + delay;
  const o = tiles.ofmap;
  const n = o.start.length;
  let writtenBack = totalCycles;
  if (n >= 2) freeAt.ofmap = transfer(spans.ofmapWrites, Math.max(startedAt.ofmap[n - 1]!, freeAt.ofmap), o.words[n - 2]!, bandwidth.ofmap);
  if (n >= 1) writtenBack = transfer(spans.ofmapWrites, Math.max(totalCycles, freeAt.ofmap), o.words[n - 1]!, bandwidth.ofmap);

  return {
    stallCycles: delay,
    prefetchCycles,
    drainCycles: Math.max(0, writtenBack - totalCycles),
    ifmapReads: toSpan(spans.ifmap),
    filterReads: toSpan(spans.filter),
    ofmapWrites: toSpan(spans.ofmapWrites),
    ofmapReads: spans.ofmapReads.words,
    stallsAt,
  };
}

/**
 * The least whole number of words per cycle at which one operand's
 * interface never makes the array wait (or, when no bandwidth avoids it —
 * a tile that must be ready in the cycle its predecessor starts — the
 * bandwidth that moves every transfer in one cycle).
 */
export function leastStallFreeBandwidth(op: Operand, tiles: Tiles, computeCycles: number): number {
  const none: Tiles = { start: [], words: [], refetch: [] };
  const only: OperandTriple<Tiles> = { ifmap: none, filter: none, ofmap: none };
  only[op] = tiles;
  let hi = 1;
  for (let j = 1; j < tiles.start.length; j++) {
    hi = Math.max(hi, op === 'ofmap' ? (j >= 2 ? tiles.words[j - 2]! : 0) + tiles.refetch[j]! : tiles.words[j]!);
  }
  const stalls = (B: number) => scheduleDram(only, { ifmap: B, filter: B, ofmap: B }, computeCycles).stallCycles;
  if (stalls(hi) > 0) return hi;
  let lo = 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (stalls(mid) === 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Where a stall-free cycle lands once the stalls before it are counted. */
export function withStalls(schedule: DramSchedule, cycle: number): number {
  const { cycle: at, cumulative } = schedule.stallsAt;
  let lo = 0;
  let hi = at.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at[mid]! <= cycle) lo = mid + 1;
    else hi = mid;
  }
  return cycle + (lo === 0 ? 0 : cumulative[lo - 1]!);
}

function recorder(): SpanRecorder {
  return { first: Infinity, last: -Infinity, words: 0 };
}

/** Moves `words` over an interface from cycle `start`; returns the first cycle after the transfer. */
function transfer(span: SpanRecorder, start: number, words: number, bandwidth: number): number {
  if (words === 0) return start;
  const cycles = Math.ceil(words / bandwidth);
  span.first = Math.min(span.first, start);
  span.last = Math.max(span.last, start + cycles - 1);
  span.words += words;
  return start + cycles;
}

function toSpan(s: SpanRecorder): AccessSpan {
  return s.words === 0 ? { startCycle: 0, stopCycle: 0, words: 0 } : { startCycle: s.first, stopCycle: s.last, words: s.words };
}
