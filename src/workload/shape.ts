import { numel, type TensorType } from './graph.js';
import { shapeError } from './op.js';
import { bytesFor } from './dtype.js';

/** Numpy broadcasting of any number of shapes. */
export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const j = s.length - rank + i;
      if (j < 0) continue;
      const e = s[j]!;
      if (e === 1) continue;
      if (d !== 1 && d !== e) throw shapeError(`shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} do not broadcast`);
      d = e;
    }
    // a zero-sized dimension broadcasts with 1 to 0
    if (shapes.some((s) => s[s.length - rank + i] === 0)) d = 0;
    out.push(d);
  }
  return out;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = s;
    s *= shape[i]!;
  }
  return st;
}

/**
 * Element-wise map over broadcast inputs with known values (constant folding).
 * Returns undefined when an input has no value.
 */
export function broadcastMap(inputs: readonly TensorType[], outShape: readonly number[], f: (xs: number[]) => number): number[] | undefined {
  if (!inputs.every((t) => t.value)) return undefined;
  const n = numel(outShape);
  const rank = outShape.length;
  const outStrides = stridesOf(outShape);
  const inStrides = inputs.map((t) => {
    const st = stridesOf(t.shape);
    // stride per output axis, 0 where broadcast
    return outShape.map((_, i) => {
      const j = t.shape.length - rank + i;
      return j < 0 || t.shape[j] === 1 ? 0 : st[j]!;
    });
  });
  const out = new Array<number>(n);
  const args = new Array<number>(inputs.length);
  for (let k = 0; k < n; k++) {
    let rem = k;
    const offs = new Array<number>(inputs.length).fill(0);
    for (let i = 0; i < rank; i++) {
      const c = Math.floor(rem / outStrides[i]!);
      rem -= c * outStrides[i]!;
      for (let a = 0; a < inputs.length; a++) offs[a]! += c * inStrides[a]![i]!;
    }
    for (let a = 0; a < inputs.length; a++) args[a] = inputs[a]!.value![offs[a]!]!;
    out[k] = f(args);
  }
  return out;
}

/** Normalizes a possibly negative index (counted from the end, as ONNX gathers allow) into an axis of size `d`. */
export function normIndex(i: number, d: number, what = 'index'): number {
  const j = i < 0 ? i + d : i;
  if (!(j >= 0 && j < d)) throw shapeError(`${what} ${i} is out of range for an axis of size ${d}`);
  return j;
}

/** Normalizes a possibly negative axis against a rank. */
export function normAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw shapeError(`${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

export function tensorBytes(t: TensorType): number {
  return bytesFor(numel(t.shape), t.dtype);
}

/** Largest constant we fold and keep (elements). Larger results keep only their shape. */
export const MAX_FOLDED_ELEMENTS = 1 << 16;

export function foldable(shape: readonly number[]): boolean {
  return numel(shape) <= MAX_FOLDED_ELEMENTS;
}

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

export interface WindowAttrs {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** ONNX order: all begins, then all ends. */
  pads: number[];
  autoPad: AutoPad;
  ceilMode?: boolean;
}

export interface WindowGeometry {
  outSize: number[];
  /** Begins then ends, as resolved. */
  pads: number[];
}

/**
 * What the window attributes mean bounds them: a kernel covers at least one
 * element, a window moves and spreads by at least one, padding adds, never
 * removes. A file may say otherwise (a negative kernel would turn 32×32 into
 * 35×35 and give negative FLOPs), so it is checked before anything is sized.
 */
export function checkWindowAttrs(w: Pick<WindowAttrs, 'kernel' | 'strides' | 'dilations' | 'pads'>): void {
  const atLeast = (name: string, list: readonly number[], min: number) => {
    if (list.some((v) => !(Number.isSafeInteger(v) && v >= min))) throw shapeError(`${name} [${list}] must be whole numbers ≥ ${min}`);
  };
  atLeast('kernel_shape', w.kernel, 1);
  atLeast('strides', w.strides, 1);
  atLeast('dilations', w.dilations, 1);
  atLeast('pads', w.pads, 0);
}

/**
 * Output size of a sliding window (convolution or pooling) over `inSize`,
 * resolving auto_pad as ONNX does: SAME_* gives ceil(in / stride) with the odd
 * padding at the end (UPPER) or the beginning (LOWER); VALID pads nothing.
 */
export function slidingWindow(inSize: readonly number[], w: WindowAttrs): WindowGeometry {
  checkWindowAttrs(w);
  const n = inSize.length;
  const pads = w.pads.length ? [...w.pads] : new Array<number>(2 * n).fill(0);
  const outSize: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = w.kernel[i]!, s = w.strides[i] ?? 1, d = w.dilations[i] ?? 1, x = inSize[i]!;
    const effK = (k - 1) * d + 1;
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
      const out = Math.ceil(x / s);
      const total = Math.max(0, (out - 1) * s + effK - x);
      const small = Math.floor(total / 2);
      pads[i] = w.autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + n] = total - pads[i]!;
      outSize.push(out);
      continue;
    }
    if (w.autoPad === 'VALID') {
      pads[i] = 0;
      pads[i + n] = 0;
    }
    const span = x + pads[i]! + pads[i + n]! - effK;
    if (span < 0) throw shapeError(`window of extent ${effK} does not fit input extent ${x} with padding ${pads[i]}+${pads[i + n]}`);
    let out = (w.ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    // with ceil_mode, the last window must start inside the input or left padding
    if (w.ceilMode && (out - 1) * s >= x + pads[i]!) out--;
    outSize.push(out);
  }
  return { outSize, pads };
}
