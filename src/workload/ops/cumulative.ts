import { numel, type Attrs, type TensorType } from '../graph.js';
import { constValue, defineOp, intAttr, req, type OpKind } from '../op.js';
import { normAxis } from '../shape.js';

/**
 * Running sums and products along an axis (CumSum, CumProd; the axis is
 * input 1; `exclusive` and `reverse` as in ONNX). 1 FLOP per element.
 */
function cumulative(op: 'CumSum' | 'CumProd'): OpKind {
  const identity = op === 'CumSum' ? 0 : 1;
  const combine = op === 'CumSum' ? (a: number, b: number) => a + b : (a: number, b: number) => a * b;
  return defineOp<Attrs>({
    op,
    opClass: 'elementwise',
    flopConvention: '1 FLOP per element',
    attrs: (raw) => ({ exclusive: intAttr(raw, 'exclusive', 0), reverse: intAttr(raw, 'reverse', 0) }),
    infer(inputs, a) {
      const x = req(inputs, 0, 'x');
      const axis = normAxis(constValue(inputs[1], `${op} axis`)[0] ?? 0, Math.max(x.shape.length, 1), `${op} axis`);
      const out: TensorType = { shape: [...x.shape], dtype: x.dtype };
      if (x.value && x.shape.length) {
        const d = x.shape[axis]!, inner = numel(x.shape.slice(axis + 1)), outer = numel(x.shape.slice(0, axis));
        const v = new Array<number>(x.value.length);
        for (let o = 0; o < outer; o++) {
          for (let i = 0; i < inner; i++) {
            let acc = identity;
            for (let s = 0; s < d; s++) {
              const k = a.reverse ? d - 1 - s : s;
              const at = (o * d + k) * inner + i;
              if (a.exclusive) {
                v[at] = acc;
                acc = combine(acc, x.value[at]!);
              } else v[at] = acc = combine(acc, x.value[at]!);
            }
          }
        }
        out.value = v;
      }
      return [out];
    },
    counts: (_i, outputs) => ({ macs: 0, otherFlops: numel(outputs[0]!.shape) }),
  });
}

export const CumSum = cumulative('CumSum');
export const CumProd = cumulative('CumProd');
