import { defineOp, enumAttr, expectRank, intAttr, req, shapeError } from '../op.js';

/**
 * DepthToSpace and SpaceToDepth: rearrange [N, C, H, W] blocks of
 * blocksize² between channels and space. No FLOPs; read and write the
 * tensor.
 */
export const DepthToSpace = defineOp({
  op: 'DepthToSpace',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads and writes the tensor',
  attrs: (raw) => ({ blocksize: intAttr(raw, 'blocksize'), mode: enumAttr(raw, 'mode', ['DCR', 'CRD'], 'DCR') }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'input');
    expectRank(x, 4, 'DepthToSpace input');
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const b = a.blocksize;
    if (b < 1 || c % (b * b) !== 0) throw shapeError(`DepthToSpace blocksize ${b}: channels ${c} are not a multiple of ${b * b}`);
    return [{ shape: [n, c / (b * b), h * b, w * b], dtype: x.dtype }];
  },
  counts: () => ({ macs: 0, otherFlops: 0 }),
});

export const SpaceToDepth = defineOp({
  op: 'SpaceToDepth',
  opClass: 'data-movement',
  flopConvention: 'no FLOPs; reads and writes the tensor',
  attrs: (raw) => ({ blocksize: intAttr(raw, 'blocksize') }),
  infer(inputs, a) {
    const x = req(inputs, 0, 'input');
    expectRank(x, 4, 'SpaceToDepth input');
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const b = a.blocksize;
    if (b < 1 || h % b !== 0 || w % b !== 0) throw shapeError(`SpaceToDepth blocksize ${b} must divide height ${h} and width ${w}`);
    return [{ shape: [n, c * b * b, h / b, w / b], dtype: x.dtype }];
  },
  counts: () => ({ macs: 0, otherFlops: 0 }),
});
