import type { Attrs } from '../../workload/graph.js';
import { blockedShape, blockedWeightShape, plainShape, plainWeightShape, type BlockedAttrs, type LayoutAttrs } from '../../workload/ops/layout.js';
import { defineKernel, input, type Kernel } from '../kernel.js';
import { alloc, type Value } from '../value.js';

/** NCHW → NCHW[b]c: element (n, c, h, w) goes to (n, c / b, h, w, c % b). `toBlocked` false runs the copy the other way. */
function relayout(v: Value, b: number, toBlocked: boolean): Value {
  const plain = toBlocked ? v.shape : plainShape(v.shape);
  const [n, c, h, w] = plain as [number, number, number, number];
  const out = alloc(toBlocked ? blockedShape(plain, b) : plain, v.dtype);
  const hw = h * w;
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const plainBase = (i * c + ch) * hw;
      const blockedBase = (i * (c / b) + Math.floor(ch / b)) * hw * b + (ch % b);
      for (let p = 0; p < hw; p++) {
        if (toBlocked) out.data[blockedBase + p * b] = v.data[plainBase + p]!;
        else out.data[plainBase + p] = v.data[blockedBase + p * b]!;
      }
    }
  }
  return out;
}

/** OIHW ↔ OIHW[b]i[b]o: filter (o, i, window) goes to (o / b, i / b, window, i % b, o % b). `toBlocked` false runs the copy the other way. */
function relayoutWeight(v: Value, b: number, toBlocked: boolean): Value {
  const plain = toBlocked ? v.shape : plainWeightShape(v.shape);
  const [o, i] = plain as [number, number];
  const window = plain.slice(2).reduce((p, x) => p * x, 1);
  const out = alloc(toBlocked ? blockedWeightShape(plain, b) : plain, v.dtype);
  for (let k = 0; k < o; k++) {
    for (let c = 0; c < i; c++) {
      const plainBase = (k * i + c) * window;
      const blockedBase = ((Math.floor(k / b) * (i / b) + Math.floor(c / b)) * window) * b * b + (c % b) * b + (k % b);
      for (let p = 0; p < window; p++) {
        if (toBlocked) out.data[blockedBase + p * b * b] = v.data[plainBase + p]!;
        else out.data[plainBase + p] = v.data[blockedBase + p * b * b]!;
      }
    }
  }
  return out;
}

/** Filters in the blocked layout OIHW[b]i[b]o (a compile-time weight transform). */
export function blockWeight(w: Value, b: number): Value {
  return relayoutWeight(w, b, true);
}

export const LAYOUT_KERNELS: Kernel[] = [
  defineKernel<LayoutAttrs>('LayoutTransform', (call) => [relayout(input(call, 0), call.attrs.block, call.attrs.direction === 'block')]),
  // the inner op's kernel on the unblocked input; its output blocked again
  defineKernel<BlockedAttrs>('Blocked', (call) => {
    const a = call.attrs;
    const inputs = [relayout(input(call, 0), a.block, false), ...call.inputs.slice(1)];
    const w = call.inputs[1];
    if (w && a.weight_block) inputs[1] = relayoutWeight(w, a.weight_block, false);
    const node = { ...call.node, op: a.op, attrs: JSON.parse(a.inner) as Attrs };
    const results = call.kernels.get(a.op)!.run({ node, inputs, attrs: node.attrs, outputs: call.outputs.map((t) => ({ ...t, shape: plainShape(t.shape) })), kernels: call.kernels });
    return results.map((r) => relayout(r, a.block, true));
  }),
];
