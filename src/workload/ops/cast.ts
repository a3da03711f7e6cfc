import { numel, type TensorType } from '../graph.js';
import { isInteger, parseDType, type DType } from '../dtype.js';
import { defineOp, req, stringAttr } from '../op.js';
import { AccelmapError } from '../../util/errors.js';

/** Cast: converts element type (`to`, an element-type name); 1 FLOP per element (a conversion), bytes as read and written. */
export type CastAttrs = { to: string };

export function castValue(v: number[], to: DType): number[] {
  if (to === 'bool') return v.map((x) => (x ? 1 : 0));
  if (isInteger(to)) return v.map(Math.trunc);
  return v;
}

export const Cast = defineOp<CastAttrs>({
  op: 'Cast',
  opClass: 'elementwise',
  flopConvention: '1 FLOP per element',
  attrs(raw) {
    const to = stringAttr(raw, 'to');
    try {
      return { to: parseDType(to) };
    } catch {
      throw new AccelmapError('bad-input', `Cast to unknown element type '${to}'`);
    }
  },
  infer(inputs, a) {
    const x = req(inputs, 0, 'input');
    const to = a.to as DType;
    const out: TensorType = { shape: [...x.shape], dtype: to };
    if (x.value) out.value = castValue(x.value, to);
    return [out];
  },
  counts: (_i, outputs) => ({ macs: 0, otherFlops: numel(outputs[0]!.shape) }),
});
