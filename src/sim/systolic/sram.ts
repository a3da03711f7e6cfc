/**
 * One operand's double-buffered SRAM, as seen from the array: it counts the
 * words the array reads or writes and cuts the access stream into tiles, the
 * runs of accesses whose distinct words fit in one half of the buffer. While
 * the array works on one tile in one half, the other half is refilled from
 * DRAM with the next tile (inputs) or written back to DRAM (outputs); see
 * dram.ts for the timing. A tile starts at the access that would overflow
 * the half, so a word counts again (another DRAM transfer) each time it
 * re-enters a tile.
 *
 * Cycles here are stall-free cycles (the array's own count); stalls are
 * added afterwards from the tile boundaries.
 */
export interface Tiles {
  /** Stall-free cycle of each tile's first access. */
  start: number[];
  /** Distinct words of each tile: fetched from DRAM (inputs) or written back (outputs). */
  words: number[];
  /** Outputs: words of each tile whose partial sum must first come back from DRAM. */
  refetch: number[];
}

export class SramStream {
  /** Words the array read from or wrote to this SRAM (zero padding included, as fed). */
  accesses = 0;
  firstCycle = -1;
  lastCycle = -1;
  /** Outputs: writes to a word that already held a partial sum (each is an SRAM read to accumulate). */
  accumulations = 0;
  readonly tiles: Tiles = { start: [], words: [], refetch: [] };
  private readonly halfWords: number;
  /** Inputs: per word, a tag equal to `tag` when the word is in the current tile. */
  private readonly tagOf: Uint8Array | undefined;
  private tag = 1;
  /** Outputs: per word, the last tile it was written in, or -1. */
  private readonly tileOf: Int32Array | undefined;
  private distinct: number;
  /** Index of the current tile (-1 before the first access). */
  private current = -1;

  constructor(kind: 'read' | 'write', halfWords: number, addressSpaceWords: number) {
    if (!(halfWords >= 1)) throw new Error(`SRAM half of ${halfWords} words`);
    this.halfWords = halfWords;
    this.distinct = halfWords; // the first access opens a tile
    if (kind === 'read') this.tagOf = new Uint8Array(addressSpaceWords);
    else this.tileOf = new Int32Array(addressSpaceWords).fill(-1);
  }

  /**
   * The array reads word `address`. -1 is a zero beyond the ifmap edge: it
   * counts as a word fed (SCALE-Sim counts it too) but occupies no SRAM or
   * DRAM word and is left out of the first–last cycle span.
   */
  read(address: number, cycle: number): void {
    this.accesses++;
    if (address < 0) return;
    if (this.firstCycle < 0) this.firstCycle = cycle;
    this.lastCycle = cycle;
    const tagOf = this.tagOf!;
    if (tagOf[address] === this.tag) return;
    if (this.distinct === this.halfWords) this.openTile(cycle);
    tagOf[address] = this.tag;
    this.distinct++;
    this.tiles.words[this.current]!++;
  }

  /** The array writes word `address`. */
  write(address: number, cycle: number): void {
    this.accesses++;
    if (this.firstCycle < 0) this.firstCycle = cycle;
    this.lastCycle = cycle;
    const tileOf = this.tileOf!;
    const previous = tileOf[address]!;
    if (previous >= 0) {
      this.accumulations++;
      if (previous === this.current) return;
    }
    if (this.distinct === this.halfWords) this.openTile(cycle);
    const tile = this.current;
    tileOf[address] = tile;
    this.distinct++;
    this.tiles.words[tile]!++;
    // a partial sum still in the other half (previous tile) is added on chip; an older one comes back from DRAM
    if (previous >= 0 && previous < tile - 1) this.tiles.refetch[tile]!++;
  }

  private openTile(cycle: number): void {
    this.tiles.start.push(cycle);
    this.tiles.words.push(0);
    this.tiles.refetch.push(0);
    this.current++;
    this.distinct = 0;
    if (this.tagOf) {
      this.tag++;
      if (this.tag === 256) {
        this.tagOf.fill(0);
        this.tag = 1;
      }
    }
  }
}
