import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import { lstm } from './layers.js';
import type { ZooOptions } from './types.js';

/**
 * Fathom's `seq2seq`: attention-based translation (the TensorFlow WMT
 * English→French model) at Fathom's sizes: 40,000-word vocabularies,
 * 256-dimensional embeddings, encoder and decoder of 3 LSTM layers of 256,
 * its largest bucket: 40 source words (`seqLen`) and 1.25× as many target
 * words (50), the ratio of its buckets (20 → 25, 40 → 50).
 * Attention is Luong's "general" form over the encoder's top layer
 * (scores = d·Wa·e, context = softmax(scores)·e, combined
 * tanh(Wc·[context; d])), applied to all decoder steps at once: the
 * TensorFlow model also feeds each step's attention into the next input,
 * which changes the first decoder layer's input width, not the structure.
 * The output layer is the full softmax over the target vocabulary.
 */
export const SEQ2SEQ = { vocab: 40000, size: 256, layers: 3, sourceLength: 40, targetRatio: 1.25 };

export function seq2seq(o: ZooOptions): Graph {
  const { vocab, size, layers } = SEQ2SEQ;
  const Ls = o.seqLen ?? SEQ2SEQ.sourceLength;
  const Lt = Math.round(Ls * SEQ2SEQ.targetRatio);
  const N = o.batch;
  const g = new GraphBuilder('seq2seq', { batch: N, dtype: o.dtype });
  const source = g.input('source', [N, Ls], 'int64');
  const target = g.input('target_in', [N, Lt], 'int64');
  let e = g.embedding(source, vocab, size, 'encoder.embedding');
  for (let l = 0; l < layers; l++) e = lstm(g, e, size, `encoder.lstm${l}`);
  let d = g.embedding(target, vocab, size, 'decoder.embedding');
  for (let l = 0; l < layers; l++) d = lstm(g, d, size, `decoder.lstm${l}`);
  const attended = g.scope('attention', () => {
    const keys = g.linear(e, size, { bias: false, name: 'Wa' });
    const scores = g.matmul(d, g.transpose(keys, [0, 2, 1], 'keys_t'), 'scores');
    const context = g.matmul(g.softmax(scores, -1, 'weights'), e, 'context');
    return g.op('Tanh', [g.linear(g.concat([context, d], -1, 'concat'), size, { name: 'Wc' })], {}, 'combined');
  });
  return g.build([g.linear(attended, vocab, { name: 'output' })]);
}
