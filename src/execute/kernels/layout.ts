import type { Attrs } from '../../workload/graph.js';
import { blockedShape, plainShape, type BlockedAttrs, type LayoutAttrs } from '../../workload/ops/layout.js';
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

export const LAYOUT_KERNELS: Kernel[] = [
  defineKernel<LayoutAttrs>('LayoutTransform', (call) => [relayout(input(call, 0), call.attrs.block, call.attrs.direction === 'block')]),
  // the inner op's kernel on the unblocked input; its output blocked again
  defineKernel<BlockedAttrs>('Blocked', (call) => {
    const a = call.attrs;
    const x = relayout(input(call, 0), a.block, false);
    const node = { ...call.node, op: a.op, attrs: JSON.parse(a.inner) as Attrs };
    const results = call.kernels.get(a.op)!.run({ node, inputs: [x, ...call.inputs.slice(1)], attrs: node.attrs, outputs: call.outputs.map((t) => ({ ...t, shape: plainShape(t.shape) })), kernels: call.kernels });
    return results.map((r) => relayout(r, a.block, true));
  }),
];
