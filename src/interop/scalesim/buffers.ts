import { AccelmapError } from '../../util/errors.js';

/**
 * SCALE-Sim v2's double-buffered scratchpads, as its reports count them
 * (active and prefetch/drain halves of one half each). Reimplemented from
 * the tool's described behaviour so that accelmap can print the figures a
 * SCALE-Sim user compares against; accelmap's own model is sim/systolic.
 */

/** DRAM reads and the first and last cycle of the DRAM trace of one input buffer. */
export interface DramStream {
  words: number;
  startCycle: number;
  stopCycle: number;
}

/** An input SRAM as the array sees it: a request answered in some cycle, and the DRAM traffic at the end. */
export interface InputBuffer {
  /** The array asks for `count` words (`addresses[0 … count − 1]`) in `cycle`; returns the cycle they are all there. */
  request(addresses: Int32Array, count: number, cycle: number): number;
  finish(): DramStream;
}

/** Words per cycle SCALE-Sim assumes for the first fill of an input buffer under CALC bandwidth. */
const CALC_FIRST_FILL_WORDS_PER_CYCLE = 10;
/** Cycles from a DRAM request to its data (SCALE-Sim's read port). */
const DRAM_LATENCY = 1;
/** Cycles from an SRAM request to its data. */
export const HIT_LATENCY = 1;

/**
 * An input SRAM under `InterfaceBandwidth: CALC`: it never stalls, and DRAM
 * traffic is what refills it. The buffer is cut into 100 sets of
 * floor(words / 100) words; new words fill the sets in the order they are
 * first asked for, and a word counts as present while the group of 50 sets
 * it was added to is the one being filled. A word asked for again after its
 * group is full is fetched again. When a group fills, its words are fetched
 * over the cycles since the previous group filled (the first group over
 * ceil(50 · set / 10) cycles ending just before the first request); what is
 * left at the end is fetched over the cycles since the last group filled.
 */
export class CalcReadBuffer implements InputBuffer {
  /** Words fetched from DRAM. */
  words = 0;
  private readonly setWords: number;
  private readonly groupSets = 50;
  /** Per word, the set it was last added to (-1: never). */
  private readonly setOf: Int32Array;
  private currentSet = 0;
  private inCurrentSet = 0;
  private groupStart = 0;
  private firstRequestCycle = -1;
  private firstGroupFetched = false;
  private windowStart = -2;
  private windowEnd = -1;
  private startCycle: number | undefined;
  private stopCycle = 0;

  constructor(bufferWords: number, addressSpace: number) {
    this.setWords = Math.floor(bufferWords / 100);
    if (this.setWords < 1) throw new AccelmapError('unsupported', `an SRAM of ${bufferWords} words is under SCALE-Sim's 100 sets of at least one word`);
    this.setOf = new Int32Array(addressSpace).fill(-1);
  }

  request(addresses: Int32Array, count: number, cycle: number): number {
    if (count > 0 && this.firstRequestCycle < 0) this.firstRequestCycle = cycle;
    const setOf = this.setOf;
    for (let i = 0; i < count; i++) {
      const a = addresses[i]!;
      if (setOf[a]! >= this.groupStart) continue;
      setOf[a] = this.currentSet;
      this.words++;
      if (++this.inCurrentSet < this.setWords) continue;
      this.inCurrentSet = 0;
      if (++this.currentSet === this.groupStart + this.groupSets) this.groupFilled(cycle);
    }
    return cycle + HIT_LATENCY;
  }

  /** Fetches what is left after the last request; returns the DRAM reads and the trace's span. */
  finish(): DramStream {
    if (this.inCurrentSet === 0) this.currentSet--;
    if (!this.firstGroupFetched) {
      this.windowEnd = -1 - DRAM_LATENCY;
      this.windowStart = this.windowEnd - Math.ceil(((this.currentSet + 1) * this.setWords) / CALC_FIRST_FILL_WORDS_PER_CYCLE) + 1;
    }
    this.fetch();
    return { words: this.words, startCycle: this.startCycle ?? 0, stopCycle: this.stopCycle };
  }

  private groupFilled(cycle: number): void {
    if (!this.firstGroupFetched) {
      this.windowEnd = this.firstRequestCycle - 1 - DRAM_LATENCY;
      this.windowStart = this.windowEnd - Math.ceil((this.groupSets * this.setWords) / CALC_FIRST_FILL_WORDS_PER_CYCLE) + 1;
      this.firstGroupFetched = true;
    }
    this.fetch();
    this.groupStart += this.groupSets;
    this.windowStart = this.windowEnd + 1;
    this.windowEnd = cycle;
  }

  /** One fetch over the current window: its trace rows are the window's cycles, each answered a latency later. */
  private fetch(): void {
    if (this.windowEnd < this.windowStart) {
      throw new AccelmapError('unsupported', 'two groups of an input SRAM filled in one cycle, which SCALE-Sim cannot fetch (it divides by zero)', {}, 'use larger SRAMs or --convention accelmap');
    }
    this.startCycle ??= this.windowStart + DRAM_LATENCY;
    this.stopCycle = this.windowEnd + DRAM_LATENCY;
  }
}

/**
 * The ofmap SRAM: writes are queued in lines of `bandwidth` words, and once
 * more than half the buffer is waiting, the oldest half-buffer's worth of
 * lines is drained to DRAM, one line per cycle; a write that finds the buffer
 * full waits for the drain to end (the array stalls). Everything left is
 * drained after the last write. Every word written to the SRAM goes to DRAM.
 * A line cut short by a drain is counted whole unless it is the last of its
 * drain, as SCALE-Sim counts it.
 */
export class WriteBuffer {
  words = 0;
  private readonly size: number;
  private readonly drainSize: number;
  private readonly bandwidth: number;
  private free: number;
  /** Words in each queued line. */
  private readonly lines: number[] = [];
  private lineFill = 0;
  private drained = 0;
  private drainEnd = 0;
  private startCycle: number | undefined;
  private stopCycle = 0;

  constructor(bufferWords: number, bandwidth: number) {
    this.size = bufferWords;
    this.drainSize = bufferWords - Math.ceil(bufferWords * 0.5);
    this.bandwidth = bandwidth;
    this.free = bufferWords;
  }

  /** The array writes `count` words in `cycle`; returns the cycle the writes complete in (later when the buffer was full). */
  write(count: number, cycle: number): number {
    let at = cycle;
    for (let i = 0; i < count; i++) {
      this.free--;
      if (++this.lineFill === this.bandwidth) this.closeLine();
      if (at < this.drainEnd) {
        if (this.free <= 0) at = this.drainEnd;
      } else if (this.free < this.size - this.drainSize) {
        this.closeLine();
        this.drainEnd = this.drain(at);
      }
    }
    return at;
  }

  /** Drains everything after the last write, from `cycle` on. */
  finish(cycle: number): DramStream {
    this.closeLine();
    for (let at = cycle; this.drained < this.lines.length; ) at = this.drain(at) + 1;
    return { words: this.words, startCycle: this.startCycle ?? 0, stopCycle: this.stopCycle };
  }

  private closeLine(): void {
    if (this.lineFill === 0) return;
    this.lines.push(this.lineFill);
    this.lineFill = 0;
  }

  /** Drains up to half a buffer of lines from `start`; returns the cycle of the last line. */
  private drain(start: number): number {
    const end = Math.min(this.drained + Math.ceil(this.drainSize / this.bandwidth), this.lines.length);
    const n = end - this.drained;
    if (n === 0) throw new AccelmapError('unsupported', 'the ofmap SRAM drains with nothing queued, where SCALE-Sim fails', {}, 'use --convention accelmap');
    const words = (n - 1) * this.bandwidth + this.lines[end - 1]!;
    this.words += words;
    this.free += words;
    this.drained = end;
    this.startCycle ??= start;
    this.stopCycle = start + n - 1;
    return start + n - 1;
  }
}

/**
 * An input SRAM under `InterfaceBandwidth: USER`. Its DRAM interface walks
 * a fixed fetch order (demand.ts `prefetchOrder`, cut into lines of
 * `bandwidth` words, padding included) cut into sets of ceil(words / 100)
 * entries. Half the buffer's worth of sets is resident (the active window);
 * the first fill happens just before the first request. A request for a word
 * in no resident set moves the window on by the sets half a buffer holds
 * and fetches half a buffer of lines, one line per cycle after the previous
 * fetch; the array waits when that ends after the cycle it needed the word
 * in. Every fetched line counts `bandwidth` DRAM reads.
 */
export class UserReadBuffer implements InputBuffer {
  words = 0;
  private readonly bandwidth: number;
  private readonly activeSize: number;
  private readonly prefetchSize: number;
  private readonly sets: number;
  private readonly activeSets: number;
  private readonly prefetchSets: number;
  private readonly lines: number;
  /** Per word, the sets it lies in: setList[setStart[w] … setStart[w + 1] − 1]. */
  private readonly setStart: Int32Array;
  private readonly setList: Int32Array;
  private windowStart = 0;
  private windowEnd = 0;
  private lastFetchCycle = -1;
  private startCycle: number | undefined;
  private filled = false;

  constructor(bufferWords: number, bandwidth: number, order: Int32Array, addressSpace: number) {
    this.bandwidth = bandwidth;
    this.activeSize = Math.ceil(bufferWords * 0.5);
    this.prefetchSize = bufferWords - this.activeSize;
    this.lines = Math.ceil(order.length / bandwidth);
    const setWords = Math.ceil(bufferWords / 100);
    // set of each valid entry, in order; a word listed twice in one set is one membership
    const counts = new Int32Array(addressSpace + 1);
    const lastSet = new Int32Array(addressSpace).fill(-1);
    let valid = 0;
    for (const a of order) {
      if (a < 0) continue;
      const set = Math.floor(valid++ / setWords);
      if (lastSet[a] !== set) {
        lastSet[a] = set;
        counts[a + 1]!++;
      }
    }
    this.sets = Math.floor(valid / setWords) + 1;
    for (let w = 0; w < addressSpace; w++) counts[w + 1]! += counts[w]!;
    this.setStart = counts;
    this.setList = new Int32Array(counts[addressSpace]!);
    const fill = counts.slice(0, addressSpace);
    lastSet.fill(-1);
    valid = 0;
    for (const a of order) {
      if (a < 0) continue;
      const set = Math.floor(valid++ / setWords);
      if (lastSet[a] !== set) {
        lastSet[a] = set;
        this.setList[fill[a]!++] = set;
      }
    }
    this.activeSets = Math.min(this.sets, Math.ceil(this.activeSize / setWords));
    this.prefetchSets = Math.min(this.sets - this.activeSets, Math.ceil(this.prefetchSize / setWords));
  }

  request(addresses: Int32Array, count: number, cycle: number): number {
    if (!this.filled) this.fillActive(cycle);
    let offset = HIT_LATENCY;
    for (let i = 0; i < count; i++) {
      const a = addresses[i]!;
      while (!this.resident(a)) {
        this.fetchNext();
        offset = Math.max(offset, this.lastFetchCycle - cycle);
      }
    }
    return cycle + offset;
  }

  finish(): DramStream {
    return { words: this.words, startCycle: this.startCycle ?? 0, stopCycle: this.lastFetchCycle };
  }

  private fillActive(cycle: number): void {
    const n = Math.min(Math.ceil(this.activeSize / this.bandwidth), this.lines);
    this.words += n * this.bandwidth;
    this.startCycle = cycle - n;
    this.lastFetchCycle = cycle - 1;
    this.windowStart = 0;
    this.windowEnd = this.activeSets;
    this.filled = true;
  }

  private fetchNext(): void {
    this.windowStart = (this.windowStart + this.prefetchSets) % this.sets;
    this.windowEnd = (this.windowStart + this.activeSets) % this.sets;
    const n = Math.ceil(this.prefetchSize / this.bandwidth);
    this.words += n * this.bandwidth;
    this.lastFetchCycle += n + 1;
  }

  /** In the active window, which wraps around the fetch order (and covers every set when it starts where it ends). */
  private resident(word: number): boolean {
    const { windowStart: s, windowEnd: e } = this;
    for (let i = this.setStart[word]!, end = this.setStart[word + 1]!; i < end; i++) {
      const set = this.setList[i]!;
      if (s < e ? set >= s && set < e : set >= s || set < e) return true;
    }
    return false;
  }
}
