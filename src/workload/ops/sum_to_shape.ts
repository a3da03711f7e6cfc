import { numel } from '../graph.js';
import { defineOp, intsAttr, req, shapeError } from '../op.js';
import { broadcastShapes } from '../shape.js';

/**
 * SumToShape (training): undoes numpy broadcasting — sums the input over
 * every axis where the target `shape` (right-aligned) is 1 or missing, giving
 * a tensor of exactly `shape`. The gradient of a broadcast operand (a bias,
 * a position embedding) is its output gradient summed this way.
 * FLOPs: one addition per input element beyond the first of each sum
 * (input elements − output elements).
 */
export const SumToShape = defineOp({
  op: 'SumToShape',
  opClass: 'reduction',
  flopConvention: 'input elements − output elements (one addition each)',
  attrs: (raw) => ({ shape: intsAttr(raw, 'shape') }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'input');
    let ok = a.shape.length <= x.shape.length;
    if (ok) {
      try {
        ok = broadcastShapes([a.shape, x.shape]).join() === x.shape.join();
      } catch {
        ok = false;
      }
    }
    if (!ok) throw shapeError(`SumToShape target [${a.shape}] does not broadcast to the input [${x.shape}]`);
    return [{ shape: [...a.shape], dtype: x.dtype }];
  },
  counts: (inputs, outputs) => ({ macs: 0, otherFlops: numel(req(inputs, 0, 'input').shape) - numel(outputs[0]!.shape) }),
});
