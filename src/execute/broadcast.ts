import type { Value } from './value.js';

/**
 * Numpy broadcasting over typed arrays: each input's stride per output axis
 * (0 where it broadcasts), and a loop that walks the output once with the
 * innermost axis as a tight loop and the outer axes as an odometer.
 */
export function alignedStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length;
  const st = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const axis = rank - shape.length + i;
    if (shape[i] !== 1) st[axis] = s;
    s *= shape[i]!;
  }
  return st;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** out[i] = f(args) with args[j] the broadcast element of inputs[j]; `args` is reused between calls. */
export function mapBroadcast(inputs: readonly Value[], out: Value, f: (args: number[]) => number): void {
  const k = inputs.length;
  const n = out.data.length;
  const o = out.data;
  const args = new Array<number>(k).fill(0);
  const datas = inputs.map((v) => v.data);
  if (inputs.every((v) => sameShape(v.shape, out.shape))) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) args[j] = datas[j]![i]!;
      o[i] = f(args);
    }
    return;
  }
  const rank = out.shape.length;
  if (n === 0) return;
  if (rank === 0) {
    for (let j = 0; j < k; j++) args[j] = datas[j]![0]!;
    o[0] = f(args);
    return;
  }
  const strides = inputs.map((v) => alignedStrides(v.shape, out.shape));
  const inner = out.shape[rank - 1]!;
  const innerStride = strides.map((s) => s[rank - 1]!);
  const base = new Array<number>(k).fill(0);
  const coord = new Array<number>(rank).fill(0);
  for (let start = 0; start < n; start += inner) {
    for (let i = 0; i < inner; i++) {
      for (let j = 0; j < k; j++) args[j] = datas[j]![base[j]! + i * innerStride[j]!]!;
      o[start + i] = f(args);
    }
    // advance the odometer over the outer axes
    for (let ax = rank - 2; ax >= 0; ax--) {
      coord[ax]!++;
      for (let j = 0; j < k; j++) base[j]! += strides[j]![ax]!;
      if (coord[ax]! < out.shape[ax]!) break;
      for (let j = 0; j < k; j++) base[j]! -= coord[ax]! * strides[j]![ax]!;
      coord[ax] = 0;
    }
  }
}

/**
 * out[c] = src[base + Σ c[i]·strides[i]] over every output coordinate c:
 * one loop for transposes, slices, splits and expands (a stride of 0 repeats).
 */
export function copyStrided(src: ArrayLike<number>, base: number, strides: readonly number[], out: Value): void {
  const o = out.data;
  const n = o.length;
  const rank = out.shape.length;
  if (n === 0) return;
  if (rank === 0) {
    o[0] = src[base]!;
    return;
  }
  const inner = out.shape[rank - 1]!;
  const is = strides[rank - 1]!;
  const coord = new Array<number>(rank).fill(0);
  let off = base;
  for (let start = 0; start < n; start += inner) {
    for (let i = 0; i < inner; i++) o[start + i] = src[off + i * is]!;
    off += nextCoordinate(coord, out.shape, strides, rank - 2);
  }
}

/**
 * Steps `coord` to the next coordinate of `shape` in row-major order,
 * counting from axis `last` down (axes after it are left alone), and
 * returns how far an offset with these strides moves.
 */
export function nextCoordinate(coord: number[], shape: readonly number[], strides: readonly number[], last: number): number {
  let move = 0;
  for (let ax = last; ax >= 0; ax--) {
    coord[ax]!++;
    move += strides[ax]!;
    if (coord[ax]! < shape[ax]!) break;
    move -= coord[ax]! * strides[ax]!;
    coord[ax] = 0;
  }
  return move;
}
