import type { Comparison } from '../api/characterize.js';
import { renderTable } from './table.js';

/** What the comparison's result does not hold: how the profiles were taken. */
export interface CompareTextContext {
  by: 'type' | 'class';
  mode: 'infer' | 'train';
  batch: number;
}

/** The terminal report of `accelmap compare`: the similarity matrix in grouped order, then the merges. */
export function renderCompare(c: Comparison, { by, mode, batch }: CompareTextContext): string {
  const order = c.order.map((name) => c.models.indexOf(name));
  return [
    `cosine similarity of op-${by} profiles (fraction of modeled time per op ${by}; ${c.device}, ${mode === 'train' ? 'training' : 'inference'}, batch ${batch}), in grouped order`,
    renderTable(['', ...order.map((i) => c.models[i]!)], order.map((i) => [c.models[i]!, ...order.map((j) => c.matrix[i]![j]!.toFixed(2))])),
    '',
    'grouping (average linkage, most similar first):',
    c.merges.map((m) => `  ${m.similarity.toFixed(2)}  ${m.left.join(' + ')}  ←→  ${m.right.join(' + ')}`).join('\n'),
  ].join('\n');
}
