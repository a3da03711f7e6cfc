import { numel, type Attrs } from '../graph.js';
import { defineOp, enumAttr, intAttr, intsAttr, req, shapeError } from '../op.js';
import { AUTO_PADS } from './conv.js';
import { POOL_OPS, type PoolAttrs } from './pool.js';

/**
 * PoolGrad (training): the input gradient of a pooling op `of` (MaxPool,
 * AveragePool, LpPool or a global pool), carrying the forward attributes
 * and the forward input's shape (`input_shape`). Inputs: dY, then what the
 * derivative reads — MaxPool and LpPool the forward input X and output Y
 * (the argmax is found again, as cuDNN does, rather than stored), average
 * pools nothing.
 * FLOPs: windowed pools kernel-size per output element (finding or
 * spreading over the window), Lp pools 3× that; global pools 1 per input element.
 */
export type PoolGradAttrs = Omit<PoolAttrs, 'count_include_pad' | 'p' | 'storage_order'> & { of: string; input_shape: number[] };

export const POOLS = ['MaxPool', 'AveragePool', 'LpPool', 'GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool'] as const;

const isGlobal = (of: string) => of.startsWith('Global');

export const PoolGrad = defineOp<PoolGradAttrs>({
  op: 'PoolGrad',
  opClass: 'pooling',
  flopConvention: 'windowed: kernel-size FLOPs per output element (Lp pools 3×); global: 1 per input element',
  attrs: (raw: Attrs) => ({
    of: enumAttr(raw, 'of', POOLS, 'MaxPool'),
    kernel_shape: intsAttr(raw, 'kernel_shape', []),
    strides: intsAttr(raw, 'strides', []),
    pads: intsAttr(raw, 'pads', []),
    dilations: intsAttr(raw, 'dilations', []),
    ceil_mode: intAttr(raw, 'ceil_mode', 0),
    auto_pad: enumAttr(raw, 'auto_pad', AUTO_PADS, 'NOTSET'),
    input_shape: intsAttr(raw, 'input_shape'),
  }),
  infer(inputs, a) {
    const dy = req(inputs, 0, 'dY');
    // the forward pool's own shape rule gives the output gradient's shape
    const forward = POOL_OPS.find((k) => k.op === a.of)!;
    const { kernel_shape, strides, pads, dilations, ceil_mode, auto_pad } = a;
    const attrs = forward.attrs(isGlobal(a.of) ? {} : { kernel_shape, strides, pads, dilations, ceil_mode, auto_pad });
    const expected = forward.infer([{ shape: a.input_shape, dtype: dy.dtype }], attrs)[0]!.shape;
    if (dy.shape.join() !== expected.join()) throw shapeError(`PoolGrad output gradient must be [${expected}] for an input of [${a.input_shape}], got [${dy.shape}]`);
    return [{ shape: [...a.input_shape], dtype: dy.dtype }];
  },
  counts(inputs, _o, a) {
    if (isGlobal(a.of)) return { macs: 0, otherFlops: (a.of === 'GlobalLpPool' ? 3 : 1) * numel(a.input_shape) };
    return { macs: 0, otherFlops: (a.of === 'LpPool' ? 3 : 1) * numel(a.kernel_shape) * numel(req(inputs, 0, 'dY').shape) };
  },
});
