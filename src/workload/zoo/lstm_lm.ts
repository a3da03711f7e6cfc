import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import { lstm } from './layers.js';
import type { ZooOptions } from './types.js';

/**
 * A 2-layer LSTM language model: Zaremba et al. 2014's "medium" Penn
 * Treebank model — 10,000-word vocabulary, 650-dimensional embeddings and
 * hidden states, 35 unrolled steps (`seqLen`), dropout 0.5 between layers,
 * an untied softmax output over the vocabulary at every step.
 */
export const LSTM_LM = { vocab: 10000, hidden: 650, layers: 2, steps: 35 };

export function lstmLm(o: ZooOptions): Graph {
  const { vocab, hidden, layers } = LSTM_LM;
  const L = o.seqLen ?? LSTM_LM.steps;
  const g = new GraphBuilder('lstm_lm', { batch: o.batch, dtype: o.dtype });
  const tokens = g.input('tokens', [o.batch, L], 'int64');
  let x = g.dropout(g.embedding(tokens, vocab, hidden, 'embedding'), 0.5, 'drop0');
  for (let l = 0; l < layers; l++) x = g.dropout(lstm(g, x, hidden, `lstm${l}`), 0.5, `drop${l + 1}`);
  return g.build([g.linear(x, vocab, { name: 'decoder' })]);
}
