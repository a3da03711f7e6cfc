import { AccelmapError } from '../../util/errors.js';
import { bufferDepths, type VtaTarget } from './spec.js';

/** C[m][n] = Σ_k A[m][k] · W[n][k] (a dense layer, or a convolution after im2col over m pixels), int8 × int8 → int32. */
export interface DenseShape {
  m: number;
  k: number;
  n: number;
}

/** The schedule knobs of a GEMM: tile sizes in blocks per axis and virtual threads; any left out is chosen by `chooseTiles`. */
export interface DenseSchedule {
  /** Row vectors (of BATCH rows) per tile. */
  tileRows?: number;
  /** Output-channel blocks (of BLOCK_OUT) per tile. */
  tileN?: number;
  /** Reduction blocks (of BLOCK_IN) per tile. */
  tileK?: number;
  /** 1: one step at a time; 2: two steps in flight, each in its half of the input, weight and accumulator buffers. */
  virtualThreads?: 1 | 2;
  /** Output tiles row tile by row tile ('rows', the default) or channel tile by channel tile ('channels'). */
  order?: LoopOrder;
}

export type LoopOrder = 'rows' | 'channels';
export const LOOP_ORDERS: readonly LoopOrder[] = ['rows', 'channels'];

/** A complete, checked schedule with the buffer split it implies (all in buffer elements). */
export interface GemmTiles {
  tileRows: number;
  tileN: number;
  tileK: number;
  virtualThreads: 1 | 2;
  order: LoopOrder;
  inpHalf: number;
  wgtHalf: number;
  accHalf: number;
  /** First accumulator element of the per-channel vectors (the top of the buffer). */
  chanBase: number;
  /** The whole weight matrix fits and is loaded once. */
  weightsResident: boolean;
}

/** The shape in blocks: row vectors, reduction blocks, output blocks. */
export function gemmBlocks(t: VtaTarget, s: DenseShape): { rows: number; kb: number; nb: number } {
  const fits = (v: number, b: number, what: string): number => {
    if (!Number.isInteger(v / b) || v <= 0) throw new AccelmapError('unsupported', `${what} = ${v} is not a positive multiple of ${b}`, { path: what }, 'pad the layer to the block size');
    return v / b;
  };
  return { rows: fits(s.m, t.batch, 'm'), kb: fits(s.k, t.blockIn, 'k'), nb: fits(s.n, t.blockOut, 'n') };
}

/** The buffer split for `vt` threads and `channelOps` per-channel vectors. */
function split(t: VtaTarget, nb: number, vt: number, channelOps: number) {
  const d = bufferDepths(t);
  const chanBase = d.acc - channelOps * nb;
  return { depth: d, chanBase, inpHalf: Math.floor(d.input / vt), wgtHalf: Math.floor(d.weight / vt), accHalf: Math.floor(Math.max(0, chanBase) / vt) };
}

/**
 * Completes and checks a schedule. Knobs left out are chosen greedily:
 * the largest reduction tile, then the most output channels, then the most
 * rows that fit; a whole weight matrix that fits the weight buffer is kept
 * resident. A knob that cannot fit is refused in one line naming it.
 */
export function chooseTiles(t: VtaTarget, shape: DenseShape, s: DenseSchedule, channelOps = 0): GemmTiles {
  const { rows, kb, nb } = gemmBlocks(t, shape);
  const vt = s.virtualThreads ?? 1;
  const { depth, chanBase, inpHalf, wgtHalf, accHalf } = split(t, nb, vt, channelOps);
  if (chanBase < 1) throw new AccelmapError('unsupported', `${channelOps} per-channel vectors of ${nb} blocks fill the ${depth.acc}-element accumulator buffer`, { path: 'n' }, 'split the layer over output channels');
  const residentFits = nb * kb <= depth.weight && kb <= inpHalf && nb <= accHalf;
  const wantResident = (s.tileN ?? nb) === nb && (s.tileK ?? kb) === kb && residentFits;
  const wgtRoom = wantResident ? nb * kb : wgtHalf;
  const tileK = s.tileK ?? Math.min(kb, inpHalf, wgtRoom);
  const tileN = s.tileN ?? Math.min(nb, Math.floor(wgtRoom / tileK), accHalf);
  const tileRows = s.tileRows ?? Math.min(rows, Math.floor(inpHalf / tileK), Math.floor(accHalf / tileN));
  const check = (name: string, v: number, max: number, why: string) => {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new AccelmapError('bad-input', `${name} = ${v} does not fit: at most ${max} (${why})`, { path: name }, 'choose smaller tiles or fewer virtual threads');
  };
  check('tileK', tileK, Math.min(kb, inpHalf, wgtRoom), `${kb} reduction blocks; ${inpHalf} input and ${wgtRoom} weight elements per thread`);
  check('tileN', tileN, Math.min(nb, Math.floor(wgtRoom / tileK), accHalf), `${nb} output blocks; weight and accumulator room for tileK = ${tileK}`);
  check('tileRows', tileRows, Math.min(rows, Math.floor(inpHalf / tileK), Math.floor(accHalf / tileN)), `${rows} rows; input and accumulator room`);
  return { tileRows, tileN, tileK, virtualThreads: vt, order: s.order ?? 'rows', inpHalf, wgtHalf, accHalf, chanBase, weightsResident: wantResident && tileN === nb && tileK === kb };
}

/** Powers of two below `n` (a tile axis's candidate sizes besides the largest that fits). */
export function powersBelow(n: number): number[] {
  const out: number[] = [];
  for (let v = 1; v < n; v *= 2) out.push(v);
  return out;
}
