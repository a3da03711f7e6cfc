import { numel } from '../graph.js';
import { defineOp, expectRank, req } from '../op.js';
import { normIndex } from '../shape.js';
import { bytesFor } from '../dtype.js';

/**
 * Embedding lookup: indices [...] into a table [V, D] → [..., D] (inputs:
 * indices, table). No FLOPs; reads the indices and only the looked-up rows.
 * The ONNX importer turns a Gather on axis 0 of a weight into an Embedding;
 * like Gather, an index may be negative (counted from the end). Indices known
 * before running are checked against the table.
 */
export const Embedding = defineOp({
  op: 'Embedding',
  opClass: 'embedding',
  flopConvention: 'no FLOPs; reads the indices and the looked-up rows',
  attrs: () => ({}),
  infer(inputs) {
    const idx = req(inputs, 0, 'indices');
    const table = req(inputs, 1, 'table');
    expectRank(table, 2, 'Embedding table');
    for (const i of idx.value ?? []) normIndex(i, table.shape[0]!, 'Embedding index');
    return [{ shape: [...idx.shape, table.shape[1]!], dtype: table.dtype }];
  },
  counts(inputs, outputs) {
    const idx = req(inputs, 0, 'indices'), table = req(inputs, 1, 'table');
    return { macs: 0, otherFlops: 0, bytesRead: [bytesFor(numel(idx.shape), idx.dtype), bytesFor(numel(outputs[0]!.shape), table.dtype)] };
  },
});
