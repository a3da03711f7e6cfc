import { numel } from '../graph.js';
import { constValue, defineOp, req, shapeError } from '../op.js';
import { broadcastMap, broadcastShapes, foldable } from '../shape.js';
import { pick, withValue } from './movement.js';

/**
 * Copies that replicate data: Expand (numpy broadcast to a shape) and Tile
 * (repeat along each axis). No FLOPs; they read the input and write the
 * output.
 */
export const Expand = defineOp({
  op: 'Expand',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads the input and writes the output',
  attrs: () => ({}),
  infer(inputs) {
    const x = req(inputs, 0, 'input');
    const target = constValue(inputs[1], 'Expand shape');
    if (target.some((d) => d < 0)) throw shapeError(`Expand shape [${target}] has a negative dimension`);
    const shape = broadcastShapes([x.shape, target]);
    return [withValue(shape, x.dtype, foldable(shape) ? broadcastMap([x], shape, ([v]) => v!) : undefined)];
  },
  counts: () => ({ macs: 0, otherFlops: 0 }),
});

export const Tile = defineOp({
  op: 'Tile',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads the input and writes the output',
  attrs: () => ({}),
  infer(inputs) {
    const x = req(inputs, 0, 'input');
    const repeats = constValue(inputs[1], 'Tile repeats');
    if (repeats.length !== x.shape.length) throw shapeError(`Tile has ${repeats.length} repeats for an input of rank ${x.shape.length}`);
    if (repeats.some((v) => v < 0)) throw shapeError(`Tile repeats [${repeats}] must not be negative`);
    const shape = x.shape.map((d, i) => d * repeats[i]!);
    const strides = x.shape.map((_, i) => numel(x.shape.slice(i + 1)));
    return [withValue(shape, x.dtype, pick(x, shape, (c) => c.reduce((s, ci, i) => s + (ci % x.shape[i]!) * strides[i]!, 0)))];
  },
  counts: () => ({ macs: 0, otherFlops: 0 }),
});
