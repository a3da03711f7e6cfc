import { AccelmapError } from '../../util/errors.js';
import type { Attrs, TensorType } from '../graph.js';
import { defineOp, enumAttr, expectRank, intAttr, req, shapeError, stringAttr } from '../op.js';
import { boundKind } from './fused.js';

/**
 * Blocked channel layout NCHW[b]c: an [N, C, H, W] tensor stored as
 * [N, C/b, H, W, b], the b channels of a block innermost (the width of the
 * accelerator's vector). LayoutTransform converts between the two
 * (`direction` 'block' or 'unblock'); Blocked runs an NCHW op (`op`, its
 * attributes as JSON in `inner`) on blocked input 0 and writes a blocked
 * output. Both move no FLOPs of their own. A blocked convolution's
 * filters may be blocked too (`weight_block` b, 0 when they stay OIHW):
 * OIHW[b]i[b]o, [O, I, R, S] stored as [O/b, I/b, R, S, b, b] with the b
 * input channels of a block, then the b output channels, innermost (the
 * operand tile of a b × b matrix-product intrinsic).
 */
export type LayoutAttrs = { block: number; direction: 'block' | 'unblock' };
export type BlockedAttrs = { op: string; block: number; inner: string; weight_block: number };

export function blockedWeightShape(shape: readonly number[], b: number): number[] {
  const [o, i, ...window] = shape as [number, number, ...number[]];
  if (o % b !== 0 || i % b !== 0) throw shapeError(`filters [${shape}] are not a multiple of the layout block ${b} in both channel axes`);
  return [o / b, i / b, ...window, b, b];
}

export function plainWeightShape(shape: readonly number[]): number[] {
  const ob = shape[0]!, ib = shape[1]!, b = shape[shape.length - 1]!;
  return [ob * b, ib * b, ...shape.slice(2, -2)];
}

export function blockedShape(shape: readonly number[], b: number): number[] {
  const [n, c, h, w] = shape as [number, number, number, number];
  if (c % b !== 0) throw shapeError(`channels ${c} are not a multiple of the layout block ${b}`);
  return [n, c / b, h, w, b];
}

export function plainShape(shape: readonly number[]): number[] {
  const [n, cb, h, w, b] = shape as [number, number, number, number, number];
  return [n, cb * b, h, w];
}

export const LayoutTransform = defineOp<LayoutAttrs>({
  op: 'LayoutTransform',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads and writes the tensor',
  attrs: (raw) => ({ block: intAttr(raw, 'block'), direction: enumAttr(raw, 'direction', ['block', 'unblock'], 'block') }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'input');
    expectRank(x, a.direction === 'block' ? 4 : 5, `LayoutTransform (${a.direction}) input`);
    return [{ shape: a.direction === 'block' ? blockedShape(x.shape, a.block) : plainShape(x.shape), dtype: x.dtype }];
  },
  counts: () => ({ macs: 0, otherFlops: 0 }),
});

/** The inner op's view: input 0 unblocked, the filters too when blocked, the rest as given. */
export function innerInputs(inputs: (TensorType | undefined)[], a: BlockedAttrs): (TensorType | undefined)[] {
  const x = req(inputs, 0, 'input');
  expectRank(x, 5, 'Blocked input');
  const inner = [{ ...x, shape: plainShape(x.shape) }, ...inputs.slice(1)];
  const w = inputs[1];
  if (w && a.weight_block) inner[1] = { ...w, shape: plainWeightShape(w.shape) };
  return inner;
}

function innerAttrs(a: BlockedAttrs): Attrs {
  return JSON.parse(a.inner) as Attrs;
}

/** The inner op with its NCHW view of a Blocked node's inputs and outputs. */
function unblocked(inputs: (TensorType | undefined)[], outputs: TensorType[], a: BlockedAttrs) {
  const kind = boundKind(a.op);
  return { kind, ins: innerInputs(inputs, a), outs: outputs.map((t) => ({ ...t, shape: plainShape(t.shape) })), attrs: kind.attrs(innerAttrs(a)) };
}

export const Blocked = defineOp<BlockedAttrs>({
  op: 'Blocked',
  opClass: 'other',
  flopConvention: "the inner op's MACs and other FLOPs",
  attrs: (raw) => {
    const inner = stringAttr(raw, 'inner');
    try {
      JSON.parse(inner);
    } catch {
      throw new AccelmapError('bad-input', 'attribute inner must be the inner op\'s attributes as JSON');
    }
    return { op: stringAttr(raw, 'op'), block: intAttr(raw, 'block'), inner, weight_block: intAttr(raw, 'weight_block', 0) };
  },
  infer(inputs, a) {
    const kind = boundKind(a.op);
    return kind.infer(innerInputs(inputs, a), kind.attrs(innerAttrs(a))).map((t) => ({ ...t, shape: blockedShape(t.shape, a.block) }));
  },
  counts(inputs, outputs, a) {
    const { kind, ins, outs, attrs } = unblocked(inputs, outputs, a);
    return kind.counts(ins, outs, attrs);
  },
  // the inner op's loop nests, on the same numbers of elements
  lower(inputs, outputs, a) {
    const { kind, ins, outs, attrs } = unblocked(inputs, outputs, a);
    return kind.lower ? kind.lower(ins, outs, attrs) : [];
  },
});
