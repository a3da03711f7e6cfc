/**
 * The systolic array, stepped one cycle at a time.
 *
 * Every PE has a register for the word moving right along its row and one
 * for the word moving down its column. A row's registers form a shift chain
 * of `cols` slots, a column's a chain of `rows` slots. All chains of one
 * kind shift together, so each is kept as a ring over a shared head index:
 * moving the head shifts every chain at once, and a cycle costs O(rows + cols)
 * work — what enters and leaves at the edges — not O(rows · cols).
 *
 * Feeders drive every lane of an edge in lockstep. Lane i starts i cycles
 * after lane 0 (the skew that aligns operands inside the array) and then
 * sends one word per cycle; lanes a fold does not map carry bubbles, which
 * move like words but are never read from or written to SRAM. A fold ends
 * when its last word, bubble or partial sum has left the array.
 *
 * Two families of dataflow:
 * - stationary (ws, is): the stationary operand is pushed in from the top
 *   edge, one row per cycle, until the column chains are full (the word for
 *   row r goes in r-th from last, so it has moved down r rows when loading
 *   ends); then the streaming operand enters from the left, and the partial
 *   sum for stream step t starts at row 0 of each column as the step-t word
 *   passes, moves down one row per cycle and leaves the bottom row complete.
 * - output stationary (os): one operand enters from the left and the other
 *   from the top; PE(i, j) accumulates its own output and writes it to SRAM
 *   over the column's output bus in the cycle of its last MAC (PEs of one
 *   column finish on distinct cycles, so the bus carries one word per cycle).
 */

const EMPTY = -1;
const BUBBLE = -2;

/** Global row and column ranges of the GEMM that one fold maps onto the array. */
export interface Fold {
  rowStart: number;
  rows: number;
  colStart: number;
  cols: number;
}

export interface LeftPort {
  /** A word for array row `row` (global index) at stream step `step` enters from the left. */
  left(row: number, step: number, cycle: number): void;
}

export interface StationaryPorts extends LeftPort {
  /** The stationary words of array row `row` for columns colStart … colStart + cols − 1 (global indices) enter the top edge. */
  preload(row: number, colStart: number, cols: number, cycle: number): void;
  /** The finished sum of column `col` (global) for stream step `step` leaves the bottom row. */
  output(col: number, step: number, cycle: number): void;
}

export interface OutputStationaryPorts extends LeftPort {
  /** A word for array column `col` (global) at stream step `step` enters from the top. */
  top(col: number, step: number, cycle: number): void;
  /** PE(row, col) (global indices) writes its finished output. */
  output(row: number, col: number, cycle: number): void;
}

export interface FoldOutcome {
  cycles: number;
  macs: number;
}

/** Register state of the array; empty between folds. */
export class SystolicArray {
  readonly rows: number;
  readonly cols: number;
  /** Row chains: the word at logical column c of row r is at `rowRing[r · cols + (rowHead + c) % cols]`. */
  private readonly rowRing: Int32Array;
  /** Column chains: the entry at logical row r of column c is at `colRing[c · rows + (colHead + r) % rows]`. */
  private readonly colRing: Int32Array;
  private rowHead = 0;
  private colHead = 0;
  /** Words and bubbles in the row chains, and entries in the column chains. */
  private rowLive = 0;
  private colLive = 0;
  /** Per row: words inside the mapped columns (each is one MAC this cycle). */
  private readonly activeInRow: Int32Array;
  /** Per row (os): logical column of the row's last word, or -1. */
  private readonly lastWordCol: Int32Array;
  private fed = 0;

  constructor(rows: number, cols: number) {
    this.rows = rows;
    this.cols = cols;
    this.rowRing = new Int32Array(rows * cols).fill(EMPTY);
    this.colRing = new Int32Array(cols * rows).fill(EMPTY);
    this.activeInRow = new Int32Array(rows);
    this.lastWordCol = new Int32Array(rows).fill(-1);
  }

  /** Runs one ws/is fold from `startCycle`: load the stationary operand, stream `steps` words per row, drain. */
  runStationaryFold(fold: Fold, steps: number, ports: StationaryPorts, startCycle: number): FoldOutcome {
    const R = this.rows;
    let cycle = startCycle;
    for (let loaded = 0; loaded < R; loaded++, cycle++) {
      const row = R - 1 - loaded;
      if (row < fold.rows) ports.preload(fold.rowStart + row, fold.colStart, fold.cols, cycle);
    }
    this.fed = 0;
    const toFeed = R * steps;
    let macs = 0;
    for (let t = 0; ; t++, cycle++) {
      macs += this.stepRows(t, steps, fold, ports, cycle, false);
      this.stepPartialSums(t, steps, fold, ports, cycle);
      if (this.fed === toFeed && this.rowLive === 0 && this.colLive === 0) break;
    }
    return { cycles: cycle - startCycle, macs };
  }

  /** Runs one os fold from `startCycle`: stream `steps` words into every row and column, write outputs as they finish. */
  runOutputStationaryFold(fold: Fold, steps: number, ports: OutputStationaryPorts, startCycle: number): FoldOutcome {
    this.fed = 0;
    const toFeed = (this.rows + this.cols) * steps;
    let macs = 0;
    let cycle = startCycle;
    for (let t = 0; ; t++, cycle++) {
      macs += this.stepRows(t, steps, fold, ports, cycle, true);
      this.stepColumnsFromTop(t, steps, fold, ports, cycle);
      this.writeFinishedOutputs(fold, ports, cycle);
      if (this.fed === toFeed && this.rowLive === 0 && this.colLive === 0) break;
    }
    return { cycles: cycle - startCycle, macs };
  }

  /**
   * Shifts every row chain one column right and feeds column 0; returns the
   * MACs of this cycle. Only rows that hold or receive a word are visited: a
   * word fed to row r at step t − r stays in the row for `cols` cycles, so
   * rows outside (t − steps − cols, t] are empty and stay empty this cycle.
   */
  private stepRows(t: number, steps: number, fold: Fold, port: LeftPort, cycle: number, trackLastWord: boolean): number {
    const C = this.cols;
    const ring = this.rowRing;
    const activeInRow = this.activeInRow;
    const lastWordCol = this.lastWordCol;
    const h = (this.rowHead = this.rowHead === 0 ? C - 1 : this.rowHead - 1);
    // after the shift, logical column `fold.cols` holds the word that just left the mapped columns
    let leavingSlot = h + fold.cols;
    if (leavingSlot >= C) leavingSlot -= C;
    const mappedAll = fold.cols === C;
    const mappedRows = fold.rows;
    const first = Math.max(0, t - steps - C + 1);
    const last = Math.min(this.rows - 1, t);
    let live = this.rowLive;
    let fed = this.fed;
    let macs = 0;
    for (let r = first; r <= last; r++) {
      const base = r * C;
      const exiting = ring[base + h]!;
      if (exiting !== EMPTY) live--;
      const step = t - r;
      let word = EMPTY;
      if (step < steps) {
        word = r < mappedRows ? step : BUBBLE;
        fed++;
        live++;
      }
      ring[base + h] = word;
      if (trackLastWord) {
        const at = lastWordCol[r]!;
        if (at >= 0) lastWordCol[r] = at + 1 < C ? at + 1 : -1;
        if (step === steps - 1) lastWordCol[r] = 0;
      }
      if (r < mappedRows) {
        let active = activeInRow[r]!;
        if (word >= 0) {
          active++;
          port.left(fold.rowStart + r, step, cycle);
        }
        if ((mappedAll ? exiting : ring[base + leavingSlot]!) >= 0) active--;
        activeInRow[r] = active;
        macs += active;
      }
    }
    this.rowLive = live;
    this.fed = fed;
    return macs;
  }

  /**
   * ws, is: shifts every column chain of partial sums down one row; row 0
   * takes the sum begun by row 0's word. Column c holds sums from cycle c
   * (the first word reaches it) for `steps + rows − 1` cycles; other columns
   * are empty and are not visited.
   */
  private stepPartialSums(t: number, steps: number, fold: Fold, ports: StationaryPorts, cycle: number): void {
    const R = this.rows;
    const C = this.cols;
    const ring = this.colRing;
    const rowRing = this.rowRing;
    const v = (this.colHead = this.colHead === 0 ? R - 1 : this.colHead - 1);
    let bottom = v + R - 1;
    if (bottom >= R) bottom -= R;
    const first = Math.max(0, t - steps - R + 1);
    const last = Math.min(C - 1, t);
    let rowZeroSlot = this.rowHead + first; // row 0, logical column `first`
    if (rowZeroSlot >= C) rowZeroSlot -= C;
    let live = this.colLive;
    for (let c = first; c <= last; c++) {
      const base = c * R;
      if (ring[base + v]! !== EMPTY) live--;
      const sum = rowRing[rowZeroSlot]!;
      ring[base + v] = sum;
      if (sum !== EMPTY) live++;
      if (c < fold.cols) {
        const done = ring[base + bottom]!;
        if (done >= 0) ports.output(fold.colStart + c, done, cycle);
      }
      if (++rowZeroSlot === C) rowZeroSlot = 0;
    }
    this.colLive = live;
  }

  /** os: shifts every column chain down one row and feeds row 0 from the top edge (visiting live columns only, as in stepRows). */
  private stepColumnsFromTop(t: number, steps: number, fold: Fold, ports: OutputStationaryPorts, cycle: number): void {
    const R = this.rows;
    const ring = this.colRing;
    const v = (this.colHead = this.colHead === 0 ? R - 1 : this.colHead - 1);
    const first = Math.max(0, t - steps - R + 1);
    const last = Math.min(this.cols - 1, t);
    let live = this.colLive;
    let fed = this.fed;
    for (let c = first; c <= last; c++) {
      const slot = c * R + v;
      if (ring[slot]! !== EMPTY) live--;
      const step = t - c;
      let word = EMPTY;
      if (step < steps) {
        word = c < fold.cols ? step : BUBBLE;
        fed++;
        live++;
        if (word >= 0) ports.top(fold.colStart + c, step, cycle);
      }
      ring[slot] = word;
    }
    this.colLive = live;
    this.fed = fed;
  }

  /** os: a PE whose row's last word is passing through it does its last MAC now and writes its output. */
  private writeFinishedOutputs(fold: Fold, ports: OutputStationaryPorts, cycle: number): void {
    for (let r = 0; r < fold.rows; r++) {
      const c = this.lastWordCol[r]!;
      if (c >= 0 && c < fold.cols) ports.output(fold.rowStart + r, fold.colStart + c, cycle);
    }
  }
}
