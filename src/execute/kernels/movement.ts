import { numel, type TensorType } from '../../workload/graph.js';
import { sliceRanges } from '../../workload/ops/movement.js';
import { normAxis, normIndex, stridesOf } from '../../workload/shape.js';
import { alignedStrides, copyStrided } from '../broadcast.js';
import { defineKernel, input, unsupported, type Kernel } from '../kernel.js';
import { alloc, reshaped, type Value } from '../value.js';

/**
 * Data movement: views (Reshape, Flatten, Squeeze, Unsqueeze, Identity and
 * inference Dropout share the input's array under the output's shape) and
 * copies (Transpose, Concat, Split, Slice, Pad, Gather, Embedding, Expand,
 * Tile), and the indexing copies (GatherElements, DepthToSpace, SpaceToDepth,
 * Trilu). Output shapes come from the shape rule; copies are strided walks.
 */
const view = (op: string): Kernel =>
  defineKernel(op, ({ inputs, outputs }) => [reshaped(inputs[0]!, outputs[0]!.shape)]);

const Dropout = defineKernel('Dropout', (call) => {
  const x = input(call, 0);
  if (call.attrs.training_mode || call.inputs[2]?.data[0]) throw unsupported(call, 'training mode (a random mask)');
  const outs: Value[] = [reshaped(x, x.shape)];
  if (call.outputs[1]) {
    const mask = alloc(x.shape, 'bool');
    mask.data.fill(1);
    outs.push(mask);
  }
  return outs;
});

const Transpose = defineKernel('Transpose', (call) => {
  const x = input(call, 0);
  const r = x.shape.length;
  const perm = (call.attrs.perm as number[]).length ? (call.attrs.perm as number[]).map((p) => normAxis(p, r)) : x.shape.map((_, i) => r - 1 - i);
  const st = stridesOf(x.shape);
  const out = alloc(call.outputs[0]!.shape, x.dtype);
  copyStrided(x.data, 0, perm.map((p) => st[p]!), out);
  return [out];
});

const Concat = defineKernel('Concat', (call) => {
  const xs = call.inputs.filter((v): v is Value => v !== undefined);
  const t = call.outputs[0]!;
  const axis = normAxis(call.attrs.axis as number, t.shape.length);
  const out = alloc(t.shape, t.dtype);
  const outer = numel(t.shape.slice(0, axis));
  const outChunk = numel(t.shape.slice(axis));
  let at = 0;
  for (const x of xs) {
    const chunk = numel(x.shape.slice(axis));
    for (let o = 0; o < outer; o++) out.data.set(x.data.subarray(o * chunk, (o + 1) * chunk), o * outChunk + at);
    at += chunk;
  }
  return [out];
});

const Split = defineKernel('Split', (call) => {
  const x = input(call, 0);
  const axis = normAxis(call.attrs.axis as number, x.shape.length);
  const st = stridesOf(x.shape);
  let from = 0;
  return call.outputs.map((t) => {
    const out = alloc(t.shape, x.dtype);
    copyStrided(x.data, from * st[axis]!, st, out);
    from += t.shape[axis]!;
    return out;
  });
});

const Slice = defineKernel('Slice', (call) => {
  const x = input(call, 0);
  const list = (i: number) => (call.inputs[i] ? Array.from(call.inputs[i]!.data) : undefined);
  const { begin, step } = sliceRanges(x.shape, list(1)!, list(2)!, list(3), list(4));
  const st = stridesOf(x.shape);
  const out = alloc(call.outputs[0]!.shape, x.dtype);
  copyStrided(x.data, begin.reduce((s, b, i) => s + b * st[i]!, 0), st.map((s, i) => s * step[i]!), out);
  return [out];
});

const Expand = defineKernel('Expand', (call) => {
  const x = input(call, 0);
  const t = call.outputs[0]!;
  const out = alloc(t.shape, x.dtype);
  copyStrided(x.data, 0, alignedStrides(x.shape, t.shape), out);
  return [out];
});

/** Copies every output position from the input position `source` gives per axis (−1: the pad value). */
function remap(x: Value, t: TensorType, source: (axis: number, c: number) => number, fill = 0): Value {
  const out = alloc(t.shape, x.dtype);
  const r = t.shape.length;
  const st = stridesOf(x.shape);
  // per axis, the input offset of every output coordinate (−1 outside)
  const maps = t.shape.map((d, ax) => Int32Array.from({ length: d }, (_, c) => {
    const s = source(ax, c);
    return s < 0 ? -1 : s * st[ax]!;
  }));
  const coord = new Array<number>(r).fill(0);
  for (let k = 0; k < out.data.length; k++) {
    let off = 0;
    for (let ax = 0; ax < r; ax++) {
      const m = maps[ax]![coord[ax]!]!;
      if (m < 0) {
        off = -1;
        break;
      }
      off += m;
    }
    out.data[k] = off < 0 ? fill : x.data[off]!;
    for (let ax = r - 1; ax >= 0; ax--) {
      if (++coord[ax]! < t.shape[ax]!) break;
      coord[ax] = 0;
    }
  }
  return out;
}

const Tile = defineKernel('Tile', (call) => {
  const x = input(call, 0);
  return [remap(x, call.outputs[0]!, (ax, c) => c % x.shape[ax]!)];
});

const Pad = defineKernel('Pad', (call) => {
  const x = input(call, 0);
  const r = x.shape.length;
  const pads = Array.from(input(call, 1).data);
  const axes = call.inputs[3] ? Array.from(call.inputs[3].data).map((a) => normAxis(a, r)) : x.shape.map((_, i) => i);
  const before = new Array<number>(r).fill(0);
  axes.forEach((ax, i) => (before[ax] = pads[i]!));
  const fill = call.inputs[2]?.data[0] ?? 0;
  const mode = call.attrs.mode as string;
  const source = (ax: number, c: number): number => {
    const d = x.shape[ax]!;
    const i = c - before[ax]!;
    if (i >= 0 && i < d) return i;
    if (mode === 'constant') return -1;
    if (mode === 'edge') return i < 0 ? 0 : d - 1;
    if (mode === 'wrap') return ((i % d) + d) % d;
    // reflect: mirror without repeating the edge
    const period = 2 * (d - 1);
    if (period === 0) return 0;
    const m = ((i % period) + period) % period;
    return m < d ? m : period - m;
  };
  return [remap(x, call.outputs[0]!, source, fill)];
});

/** Rows of `table` (axis `axis`) picked by `idx`: out = table[:axis] × idx × table[axis+1:]. */
function gatherRows(call: Parameters<Kernel['run']>[0], table: Value, idx: Value, axis: number): Value {
  const d = table.shape[axis]!;
  const inner = numel(table.shape.slice(axis + 1));
  const outer = numel(table.shape.slice(0, axis));
  const out = alloc(call.outputs[0]!.shape, table.dtype);
  const n = idx.data.length;
  const rows = new Int32Array(n);
  for (let j = 0; j < n; j++) rows[j] = normIndex(idx.data[j]!, d, `${call.node.op} index`);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const src = (o * d + rows[j]!) * inner;
      out.data.set(table.data.subarray(src, src + inner), (o * n + j) * inner);
    }
  }
  return out;
}

const Gather = defineKernel('Gather', (call) => {
  const x = input(call, 0);
  return [gatherRows(call, x, input(call, 1), normAxis(call.attrs.axis as number, x.shape.length))];
});

/** Embedding(indices, table): rows of the table. */
const Embedding = defineKernel('Embedding', (call) => [gatherRows(call, input(call, 1), input(call, 0), 0)]);

export const MOVEMENT_KERNELS: Kernel[] = [
  ...['Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze'].map(view),
  Dropout, Transpose, Concat, Split, Slice, Expand, Tile, Pad, Gather, Embedding,
];

/** GatherElements: out[c] = data[c with c[axis] replaced by indices[c]]. */
const GatherElements = defineKernel('GatherElements', (call) => {
  const x = input(call, 0), idx = input(call, 1);
  const axis = normAxis(call.attrs.axis as number, x.shape.length);
  const st = stridesOf(x.shape), ist = stridesOf(idx.shape);
  const out = alloc(idx.shape, x.dtype);
  const d = x.shape[axis]!;
  for (let k = 0; k < idx.data.length; k++) {
    let rem = k, off = 0;
    for (let ax = 0; ax < idx.shape.length; ax++) {
      const c = Math.floor(rem / ist[ax]!);
      rem -= c * ist[ax]!;
      off += (ax === axis ? normIndex(idx.data[k]!, d, 'GatherElements index') : c) * st[ax]!;
    }
    out.data[k] = x.data[off]!;
  }
  return [out];
});

/**
 * DepthToSpace and SpaceToDepth as strided copies: the output seen as a 6-D
 * array (N, C', H, b, W, b for DepthToSpace; N, b, b, C, H', W' for
 * SpaceToDepth) read from the input at the strides its layout gives.
 */
const DepthToSpace = defineKernel('DepthToSpace', (call) => {
  const x = input(call, 0);
  const b = call.attrs.blocksize as number;
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const Cb = C / (b * b), plane = H * W;
  const dcr = call.attrs.mode !== 'CRD';
  const [sc, sb1, sb2] = dcr ? [plane, b * Cb * plane, Cb * plane] : [b * b * plane, b * plane, plane];
  const out = alloc([N, Cb, H, b, W, b], x.dtype);
  copyStrided(x.data, 0, [C * plane, sc, W, sb1, 1, sb2], out);
  return [reshaped(out, call.outputs[0]!.shape)];
});

const SpaceToDepth = defineKernel('SpaceToDepth', (call) => {
  const x = input(call, 0);
  const b = call.attrs.blocksize as number;
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const out = alloc([N, b, b, C, H / b, W / b], x.dtype);
  copyStrided(x.data, 0, [C * H * W, W, 1, H * W, b * W, b], out);
  return [reshaped(out, call.outputs[0]!.shape)];
});

/** Trilu: keeps the upper (j − i ≥ k) or lower (j − i ≤ k) triangle of the last two axes. */
const Trilu = defineKernel('Trilu', (call) => {
  const x = input(call, 0);
  const k = call.inputs[1]?.data[0] ?? 0;
  const upper = call.attrs.upper === 1;
  const [R, C] = x.shape.slice(-2) as [number, number];
  const out = alloc(x.shape, x.dtype);
  for (let i = 0; i < x.data.length; i++) {
    const col = i % C, row = Math.floor(i / C) % R;
    const keep = upper ? col - row >= k : col - row <= k;
    out.data[i] = keep ? x.data[i]! : 0;
  }
  return [out];
});

export const INDEXING_KERNELS: Kernel[] = [GatherElements, DepthToSpace, SpaceToDepth, Trilu];
