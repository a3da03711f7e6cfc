import { numel, type Attrs, type TensorType } from '../graph.js';
import { defineOp, enumAttr, expectRank, intAttr, intsAttr, req, shapeError, type OpKind } from '../op.js';
import { slidingWindow, type AutoPad } from '../shape.js';
import { AUTO_PADS } from './conv.js';

/**
 * Pooling (ONNX semantics). Windowed: MaxPool (with dilations and the
 * optional Indices output), AveragePool (count_include_pad), LpPool;
 * ceil_mode and auto_pad as in convolution. Global: GlobalAveragePool,
 * GlobalMaxPool, GlobalLpPool reduce every spatial position to 1.
 * FLOP convention: a window of k elements costs k per output element
 * (k − 1 comparisons or additions, plus 1 for the average's division or the
 * max's write); Lp pools 3 per window element. Global pools: 1 per input element.
 */
export type PoolAttrs = {
  kernel_shape: number[];
  strides: number[];
  pads: number[];
  dilations: number[];
  ceil_mode: number;
  auto_pad: AutoPad;
  count_include_pad: number;
  p: number;
  /** MaxPool's Indices: 0 row-major, 1 column-major within each plane. */
  storage_order: number;
};

function poolGeometry(x: TensorType, a: PoolAttrs, op: string) {
  expectRank(x, [3, 4, 5], `${op} input`);
  const nsp = x.shape.length - 2;
  if (a.kernel_shape.length !== nsp) throw shapeError(`${op} kernel_shape [${a.kernel_shape}] must have ${nsp} entries`);
  return slidingWindow(x.shape.slice(2), {
    kernel: a.kernel_shape,
    strides: a.strides.length ? a.strides : a.kernel_shape.map(() => 1),
    dilations: a.dilations.length ? a.dilations : a.kernel_shape.map(() => 1),
    pads: a.pads,
    autoPad: a.auto_pad,
    ceilMode: a.ceil_mode === 1,
  });
}

function windowed(op: string, flopsPerWindowElement: number): OpKind {
  return defineOp<PoolAttrs>({
    op,
    opClass: 'pooling',
    flopConvention: `${flopsPerWindowElement === 1 ? '' : flopsPerWindowElement + '·'}kernel-size FLOPs per output element`,
    attrs: (raw: Attrs) => ({
      kernel_shape: intsAttr(raw, 'kernel_shape'),
      strides: intsAttr(raw, 'strides', []),
      pads: intsAttr(raw, 'pads', []),
      dilations: intsAttr(raw, 'dilations', []),
      ceil_mode: intAttr(raw, 'ceil_mode', 0),
      auto_pad: enumAttr(raw, 'auto_pad', AUTO_PADS, 'NOTSET'),
      count_include_pad: intAttr(raw, 'count_include_pad', 0),
      p: intAttr(raw, 'p', 2),
      storage_order: intAttr(raw, 'storage_order', 0),
    }),
    infer(inputs, a) {
      const x = req(inputs, 0, 'X');
      const { outSize } = poolGeometry(x, a, op);
      const shape = [x.shape[0]!, x.shape[1]!, ...outSize];
      const outs: TensorType[] = [{ shape, dtype: x.dtype }];
      if (op === 'MaxPool') outs.push({ shape: [...shape], dtype: 'int64' });
      return outs;
    },
    counts(_i, outputs, a) {
      return { macs: 0, otherFlops: flopsPerWindowElement * numel(a.kernel_shape) * numel(outputs[0]!.shape) };
    },
  });
}

function global(op: string, flopsPerElement: number): OpKind {
  return defineOp({
    op,
    opClass: 'pooling',
    flopConvention: `${flopsPerElement} FLOP${flopsPerElement === 1 ? '' : 's'} per input element`,
    attrs: (raw: Attrs): Attrs => (op === 'GlobalLpPool' ? { p: intAttr(raw, 'p', 2) } : {}),
    infer(inputs) {
      const x = req(inputs, 0, 'X');
      expectRank(x, [3, 4, 5], `${op} input`);
      return [{ shape: [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map(() => 1)], dtype: x.dtype }];
    },
    counts: (inputs) => ({ macs: 0, otherFlops: flopsPerElement * numel(req(inputs, 0, 'X').shape) }),
  });
}

export const POOL_OPS: OpKind[] = [
  windowed('MaxPool', 1),
  windowed('AveragePool', 1),
  windowed('LpPool', 3),
  global('GlobalAveragePool', 1),
  global('GlobalMaxPool', 1),
  global('GlobalLpPool', 3),
];
