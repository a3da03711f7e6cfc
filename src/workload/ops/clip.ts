import { numel } from '../graph.js';
import { defineOp, req } from '../op.js';

/**
 * Clip (ONNX ≥ 11): min and max are optional scalar inputs (older opsets'
 * attributes are turned into inputs by the importer). 2 FLOPs per element.
 */
export const Clip = defineOp({
  op: 'Clip',
  opClass: 'activation',
  flopConvention: '2 FLOPs per element (a max and a min)',
  attrs: () => ({}),
  infer(inputs) {
    const x = req(inputs, 0, 'input');
    const lo = inputs[1]?.value?.[0] ?? -Infinity;
    const hi = inputs[2]?.value?.[0] ?? Infinity;
    const known = !inputs[1] || inputs[1].value;
    const knownHi = !inputs[2] || inputs[2].value;
    const out = { shape: [...x.shape], dtype: x.dtype };
    return [x.value && known && knownHi ? { ...out, value: x.value.map((v) => Math.min(hi, Math.max(lo, v))) } : out];
  },
  counts: (_i, outputs) => ({ macs: 0, otherFlops: 2 * numel(outputs[0]!.shape) }),
});
