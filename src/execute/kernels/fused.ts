import { fusedMembers, type FusedAttrs } from '../../workload/ops/fused.js';
import { defineKernel, type Kernel } from '../kernel.js';
import type { Value } from '../value.js';

const SMALL = 4096;

/** A FusedGroup runs its members in order with the kernels of their ops; intermediates live only inside the call. */
export const FUSED_KERNELS: Kernel[] = [
  defineKernel<FusedAttrs>('FusedGroup', (call) => {
    const a = call.attrs;
    const env = new Map<string, Value>();
    a.inputs.forEach((name, i) => call.inputs[i] && env.set(name, call.inputs[i]!));
    // members' shape rules read small constant inputs (axes, shapes) by value
    const types = call.inputs.map((v) => v && (v.data.length <= SMALL ? { shape: v.shape, dtype: v.dtype, value: Array.from(v.data) } : { shape: v.shape, dtype: v.dtype }));
    for (const m of fusedMembers(types, a)) {
      const kernel = call.kernels.get(m.node.op);
      if (!kernel) throw new Error(`no kernel for ${m.node.op} inside fused node ${call.node.name}`);
      const results = kernel.run({ node: m.node, inputs: m.node.inputs.map((t) => (t ? env.get(t) : undefined)), attrs: m.node.attrs, outputs: m.outputs, kernels: call.kernels });
      m.node.outputs.forEach((t, i) => t && env.set(t, results[i]!));
    }
    return a.outputs.map((t) => env.get(t)!);
  }),
];
